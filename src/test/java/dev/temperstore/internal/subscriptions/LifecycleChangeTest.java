package dev.temperstore.internal.subscriptions;

import dev.temperstore.tenancy.PersistenceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The lifecycle's notification payloads, as lifecycle/notices.sql sends them, and anything else on the channel. */
class LifecycleChangeTest {

  @Test
  void a_stream_change_hides_its_stream_below_the_sequence_and_a_purge_every_stream_of_the_tenant() {
    LifecycleChange truncate = LifecycleChange.fromPayload("[\"a.b\", \"Order\", \"o:1\", 3]").orElseThrow();
    PersistenceId stream = new PersistenceId("a.b", "Order", "o:1");

    assertThat(truncate.stream()).isEqualTo(stream);
    assertThat(truncate.hides(stream, 2)).isTrue();
    assertThat(truncate.hides(stream, 3)).isFalse();
    assertThat(truncate.hides(new PersistenceId("a.b", "Order", "o:2"), 1)).isFalse();
    LifecycleChange purge = LifecycleChange.fromPayload("[\"a\"]").orElseThrow();
    assertThat(purge.hides(new PersistenceId("a", "X", "y"), Long.MAX_VALUE - 1)).isTrue();
    assertThat(purge.hides(new PersistenceId("ab", "X", "y"), 1)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{}", "[1]", "[\"a\", \"Order\"]", "[\"a\", \"Order\", \"o\", \"x\"]",
      "[\"a\", \"Or:der\", \"o\", 1]", "[\"\", \"Order\", \"o\", 1]", "not json", "[\"a\", null, \"o\", 1]"})
  void any_other_payload_is_ignored(String payload) {
    assertThat(LifecycleChange.fromPayload(payload)).isEmpty();
  }
}
