package dev.temperstore.internal.subscriptions;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What a wake-up carries on the local bus and in a notification, and what it is taken to mean when unreadable. */
class FeedWakeupTest {

  @Test
  void a_wake_up_concerns_the_tenants_it_names_and_no_other() {
    FeedWakeup wakeup = FeedWakeup.of(Set.of("acme", "globex"));

    assertThat(wakeup.concerns("acme")).isTrue();
    assertThat(wakeup.concerns("globex")).isTrue();
    assertThat(wakeup.concerns("initech")).isFalse();
    assertThat(FeedWakeup.EVERY_TENANT.concerns("initech")).isTrue();
  }

  @Test
  void names_survive_the_local_bus_and_the_notification_payload_including_quotes_and_multibyte_text() {
    FeedWakeup wakeup = FeedWakeup.of(Set.of("acme", "a\"b\\c", "Zürich-日本"));

    assertThat(FeedWakeup.fromJson(wakeup.toJson())).isEqualTo(wakeup);
    assertThat(FeedWakeup.fromPayload(wakeup.toPayload())).isEqualTo(wakeup);
  }

  @Test
  void a_name_no_tenant_can_have_wakes_no_tenant_it_resembles() {
    FeedWakeup wakeup = FeedWakeup.fromPayload("[\"acme\\u0000x\", \"\\ud800\", \"acme:Order\"]");

    assertThat(wakeup.everyTenant()).isFalse();
    assertThat(wakeup.concerns("acme")).isFalse();
    assertThat(wakeup.concerns("acme\u0000x")).isTrue(); // a tenant that cannot exist: harmless
  }

  @Test
  void more_tenants_than_a_wake_up_names_make_it_one_for_every_tenant() {
    List<String> many = IntStream.rangeClosed(0, FeedWakeup.MAX_TENANTS).mapToObj(i -> "t" + i).toList();

    assertThat(FeedWakeup.of(many)).isEqualTo(FeedWakeup.EVERY_TENANT);
  }

  @Test
  void a_payload_past_the_notification_limit_is_sent_empty_and_read_as_every_tenant() {
    List<String> long256 = IntStream.range(0, 40).mapToObj(i -> String.valueOf((char) ('a' + i % 26)).repeat(250)
        + i).toList();
    FeedWakeup wakeup = FeedWakeup.of(long256);

    assertThat(wakeup.everyTenant()).isFalse();
    assertThat(wakeup.toPayload()).isEmpty();
    assertThat(FeedWakeup.fromPayload(wakeup.toPayload())).isEqualTo(FeedWakeup.EVERY_TENANT);
  }

  @Test
  void an_unreadable_or_foreign_payload_wakes_every_tenant() {
    for (String payload : new String[] {"", " ", "not json", "{}", "\"acme\"", "[1, 2]", "[\"acme\", null]", "["}) {
      assertThat(FeedWakeup.fromPayload(payload)).as(payload).isEqualTo(FeedWakeup.EVERY_TENANT);
    }
    // as deep as a notification's 8,000 bytes allow, and names nested in arrays
    String deep = "[".repeat(3999) + "]".repeat(3999);
    for (String payload : new String[] {deep, "[[\"acme\"]]", "[{\"tenant\": \"acme\"}]", "[\"acme\"] trailing"}) {
      assertThat(FeedWakeup.fromPayload(payload)).as(payload.substring(0, Math.min(40, payload.length())))
          .isEqualTo(FeedWakeup.EVERY_TENANT);
    }
    assertThat(FeedWakeup.fromJson(null)).isEqualTo(FeedWakeup.EVERY_TENANT);
    assertThat(FeedWakeup.fromJson(new JsonArray().add(3))).isEqualTo(FeedWakeup.EVERY_TENANT);
  }
}
