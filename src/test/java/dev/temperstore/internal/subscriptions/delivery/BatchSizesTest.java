package dev.temperstore.internal.subscriptions.delivery;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Batch sizes per target: the credit for a consumer that answers in time, smaller for one that does not. */
class BatchSizesTest {

  private static final long MS = 1_000_000L;
  private final Target member = new Target("m1", "app.m1");
  private final Target other = new Target("m2", "app.m2");
  /** At most 64 per batch; a 10 s timeout, so a batch should take at most 5 s. */
  private final BatchSizes sizes = new BatchSizes(64, Duration.ofSeconds(10));

  @Test
  void a_target_answering_in_time_gets_full_batches() {
    sizes.answered(member, 64, 4_000 * MS);

    assertThat(sizes.of(member)).isEqualTo(64);
  }

  @Test
  void timeouts_halve_the_batches_down_to_one_event_and_only_for_that_target() {
    assertThat(sizes.timedOut(member, 64)).isEqualTo(32);
    assertThat(sizes.timedOut(member, 32)).isEqualTo(16);
    for (int i = 0; i < 10; i++) {
      sizes.timedOut(member, sizes.of(member));
    }

    assertThat(sizes.of(member)).isEqualTo(1);
    assertThat(sizes.of(other)).isEqualTo(64);
  }

  @Test
  void a_batch_answered_in_more_than_half_the_timeout_sizes_the_next_to_take_half_of_it() {
    sizes.answered(member, 64, 8_000 * MS); // 125 ms an event: 40 take 5 s

    assertThat(sizes.of(member)).isEqualTo(40);
  }

  @Test
  void once_answered_sooner_the_batches_grow_back_at_most_doubling_each_time() {
    sizes.timedOut(member, 4); // down to 2
    sizes.answered(member, 2, 10 * MS);
    assertThat(sizes.of(member)).isEqualTo(4);
    sizes.answered(member, 4, 10 * MS);
    sizes.answered(member, 8, 10 * MS);
    sizes.answered(member, 16, 10 * MS);
    sizes.answered(member, 32, 10 * MS);

    assertThat(sizes.of(member)).isEqualTo(64);
  }

  @Test
  void a_small_batch_answered_in_time_does_not_shrink_the_limit() {
    sizes.timedOut(member, 64); // 32
    sizes.answered(member, 3, 3_000 * MS); // 1 s an event: 5 would take 5 s, but 3 came in time

    assertThat(sizes.of(member)).isEqualTo(32);
  }

  @Test
  void a_batch_is_unanswered_when_the_send_timed_out_or_a_relay_failed_it_with_504_however_soon() {
    assertThat(sizes.unanswered(new ReplyException(ReplyFailure.TIMEOUT, "timed out"), 10_000 * MS)).isTrue();
    assertThat(sizes.unanswered(failure(504, "the bridge client did not answer within 300 ms"), 300 * MS))
        .as("a relay with a shorter timeout expired it").isTrue();
    assertThat(sizes.unanswered(failure(504, "the bridge client did not answer within 10000 ms"), 9_999 * MS))
        .as("a relay's expiry beat the store's own timer").isTrue();
  }

  @Test
  void any_failure_that_comes_only_after_the_whole_timeout_is_a_batch_unanswered() {
    assertThat(sizes.unanswered(failure(503, "the bridge client did not answer within 10000 ms"), 10_000 * MS))
        .as("a relay's expiry, failed as a 503, beat the store's own timer").isTrue();
    assertThat(sizes.unanswered(failure(500, "nacked by the bridge client"), 10_001 * MS)).isTrue();
    assertThat(sizes.unanswered(new ReplyException(ReplyFailure.NO_HANDLERS, "gone"), 12_000 * MS)).isTrue();
  }

  @Test
  void a_nack_no_consumer_or_a_closed_connection_sooner_than_the_timeout_is_an_answer_and_leaves_the_sizes() {
    assertThat(sizes.unanswered(failure(503, "refused by the consumer"), 9_999 * MS)).isFalse();
    assertThat(sizes.unanswered(failure(500, "nacked by the bridge client: projection database down"), 10 * MS))
        .isFalse();
    assertThat(sizes.unanswered(failure(503, "the bridge connection closed before the client answered"), 10 * MS))
        .isFalse();
    assertThat(sizes.unanswered(new ReplyException(ReplyFailure.NO_HANDLERS, "no handlers"), MS)).isFalse();
    assertThat(sizes.unanswered(new IllegalStateException("not a reply at all"), MS)).isFalse();
  }

  private static ReplyException failure(int code, String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  @Test
  void targets_that_left_are_forgotten() {
    sizes.timedOut(member, 64);
    sizes.timedOut(other, 64);

    sizes.retain(List.of(other));

    assertThat(sizes.of(member)).isEqualTo(64);
    assertThat(sizes.of(other)).isEqualTo(32);
  }
}
