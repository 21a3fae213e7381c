package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.internal.bus.DeliverySender;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * How many events the next batch to each target may hold: the most allowed, unless the target was slow. A batch is
 * acknowledged as a whole and sent again in full after a timeout, so a consumer that needs longer than the delivery
 * timeout for a full batch would time out for ever, its checkpoint never moving, however fast it handles each
 * event. So after a timeout ({@link #unanswered}) the target's batches halve; a batch answered in more than half
 * the timeout makes the next ones as big as would take half of it at the speed seen; one answered sooner lets them
 * grow back, at most doubling each time. Down to one event: a consumer that handles each event within the timeout
 * always moves on.
 * Not thread-safe: the deliverer's context only.
 */
final class BatchSizes {

  private final int most;
  private final long timeoutNanos;
  /** Half the delivery timeout: what a batch should take at most. */
  private final long budgetNanos;
  /** Targets held below {@link #most}. */
  private final Map<Target, Integer> limits = new HashMap<>();

  BatchSizes(int most, Duration deliveryTimeout) {
    this.most = most;
    this.timeoutNanos = deliveryTimeout.toNanos();
    this.budgetNanos = Math.max(1, deliveryTimeout.toNanos() / 2);
  }

  /** The most events the next batch to {@code target} may hold. */
  int of(Target target) {
    return limits.getOrDefault(target, most);
  }

  /** {@code target} answered a batch of {@code events} after {@code nanos}. */
  void answered(Target target, int events, long nanos) {
    int limit = of(target);
    long fits = Math.max(1, events * budgetNanos / Math.max(1, nanos));
    set(target, nanos > budgetNanos ? Math.min(limit, fits) : Math.max(limit, Math.min(2L * limit, fits)));
  }

  /**
   * Whether a batch that failed with {@code cause} {@code nanos} after it was sent went unanswered, so that its
   * target's batches are to halve ({@link #timedOut}): the consumer did not answer in time, whichever timer noticed.
   * <ul>
   *   <li>The store's own send timeout ({@link ReplyFailure#TIMEOUT}).</li>
   *   <li>A failure reply with code {@link DeliverySender#UNANSWERED} (504), however soon: something between the
   *       store and the consumer gave up waiting for it. The TCP bridge fails with it a batch its client sits on
   *       once its own delivery timeout expires: the same as the store's by default, so the two timers race (the
   *       bridge's came first in about a quarter of its clients' timeouts), or a shorter one. A code of its own
   *       makes the race harmless, and still tells an expiry from a nack.</li>
   *   <li>Any failure that came once the batch had been out for the whole delivery timeout, whatever its code:
   *       the consumer held it that long, so it was too slow for that batch whatever it replied. This also covers
   *       a relay that fails its expiry otherwise, such as a bridge of an earlier release (503).</li>
   * </ul>
   * Anything else that came sooner (a nack, no consumer at the address, a closed bridge connection) was an answer,
   * just not a yes: a smaller batch would not help, so the sizes stay.
   */
  boolean unanswered(Throwable cause, long nanos) {
    if (nanos >= timeoutNanos) {
      return true;
    }
    return cause instanceof ReplyException reply && (reply.failureType() == ReplyFailure.TIMEOUT
        || reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() == DeliverySender.UNANSWERED);
  }

  /** A batch of {@code events} to {@code target} went unanswered for the whole timeout; returns the new limit. */
  int timedOut(Target target, int events) {
    set(target, Math.max(1, Math.min(of(target), events / 2)));
    return of(target);
  }

  /** Forgets targets other than {@code current} (members that left). */
  void retain(Collection<Target> current) {
    limits.keySet().retainAll(current);
  }

  private void set(Target target, long limit) {
    if (limit >= most) {
      limits.remove(target);
    } else {
      limits.put(target, (int) Math.max(1, limit));
    }
  }
}
