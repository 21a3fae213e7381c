package dev.temperstore.feed.subscriptions;

import java.time.Duration;

/**
 * How a store delivers subscriptions ({@code temper.subscriptions.*}).
 *
 * @param enabled            run deliverers in this store (the bus API is served either way)
 * @param credit             unacknowledged events per delivery target (the subscription's address, or each member
 *                           of its consumer group) at most; also the most per delivery batch
 * @param deliveryTimeout    how long a delivery waits for its acknowledgement before it is retried
 * @param retryDelay         the pause after a failed or timed-out delivery before the subscription goes on
 * @param checkpointEvery    acknowledged events after which the checkpoint is saved at once
 * @param checkpointInterval how soon, at most, any acknowledgement reaches the saved checkpoint
 * @param pollInterval       how often a caught-up deliverer reads anyway, should a notification be lost
 * @param tailReadGap        how often, at most, a caught-up deliverer reads, however many wake-ups come
 * @param claimInterval      how often a store looks for new, reset, deleted or unclaimed subscriptions and
 *                           refreshes the lag gauges; a dead deliverer's subscription is taken over within it
 * @param maxPerTenant       subscriptions one tenant may have (429 beyond)
 * @param memberLease        how long a consumer group member stays live after joining or renewing
 * @param maxMembers         live members one subscription may have (429 beyond)
 */
public record SubscriptionSettings(boolean enabled, int credit, Duration deliveryTimeout, Duration retryDelay,
                                   int checkpointEvery, Duration checkpointInterval, Duration pollInterval,
                                   Duration tailReadGap, Duration claimInterval, int maxPerTenant,
                                   Duration memberLease, int maxMembers) {

  public static final boolean DEFAULT_ENABLED = true;
  public static final int DEFAULT_CREDIT = 256;
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(1);
  public static final int DEFAULT_CHECKPOINT_EVERY = 100;
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMillis(200);
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_TAIL_READ_GAP = Duration.ofMillis(20);
  public static final Duration DEFAULT_CLAIM_INTERVAL = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_PER_TENANT = Subscriptions.MAX_LIST;
  public static final Duration DEFAULT_MEMBER_LEASE = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_MEMBERS = Subscriptions.MAX_MEMBERS;
  /** A lease shorter than this would need renewals more often than a bus round trip can be relied on. */
  public static final Duration MIN_MEMBER_LEASE = Duration.ofSeconds(1);

  public SubscriptionSettings {
    between("temper.subscriptions.credit", credit, 1, 10_000);
    between("temper.subscriptions.checkpoint-every", checkpointEvery, 1, 1_000_000);
    between("temper.subscriptions.max-per-tenant", maxPerTenant, 1, Subscriptions.MAX_LIST);
    positive("temper.subscriptions.delivery-timeout", deliveryTimeout);
    positive("temper.subscriptions.retry-delay", retryDelay);
    positive("temper.subscriptions.checkpoint-interval", checkpointInterval);
    positive("temper.subscriptions.poll-interval", pollInterval);
    positive("temper.subscriptions.tail-read-gap", tailReadGap);
    if (tailReadGap.compareTo(pollInterval) > 0) {
      throw new IllegalArgumentException("temper.subscriptions.tail-read-gap must not be longer than"
          + " temper.subscriptions.poll-interval (" + pollInterval.toMillis() + "ms), got " + tailReadGap.toMillis()
          + "ms");
    }
    positive("temper.subscriptions.claim-interval", claimInterval);
    between("temper.subscriptions.max-members", maxMembers, 1, Subscriptions.MAX_MEMBERS);
    if (memberLease == null || memberLease.compareTo(MIN_MEMBER_LEASE) < 0) {
      throw new IllegalArgumentException("temper.subscriptions.member-lease must be at least "
          + MIN_MEMBER_LEASE.toMillis() + "ms, got " + memberLease);
    }
  }

  public static SubscriptionSettings defaults() {
    return new SubscriptionSettings(DEFAULT_ENABLED, DEFAULT_CREDIT, DEFAULT_DELIVERY_TIMEOUT, DEFAULT_RETRY_DELAY,
        DEFAULT_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_POLL_INTERVAL, DEFAULT_TAIL_READ_GAP,
        DEFAULT_CLAIM_INTERVAL, DEFAULT_MAX_PER_TENANT, DEFAULT_MEMBER_LEASE, DEFAULT_MAX_MEMBERS);
  }

  public SubscriptionSettings withCredit(int value) {
    return new SubscriptionSettings(enabled, value, deliveryTimeout, retryDelay, checkpointEvery,
        checkpointInterval, pollInterval, tailReadGap, claimInterval, maxPerTenant, memberLease, maxMembers);
  }

  public SubscriptionSettings withIntervals(Duration poll, Duration claim, Duration retry) {
    return new SubscriptionSettings(enabled, credit, deliveryTimeout, retry, checkpointEvery,
        checkpointInterval, poll, tailReadGap, claim, maxPerTenant, memberLease, maxMembers);
  }

  public SubscriptionSettings withDeliveryTimeout(Duration value) {
    return new SubscriptionSettings(enabled, credit, value, retryDelay, checkpointEvery,
        checkpointInterval, pollInterval, tailReadGap, claimInterval, maxPerTenant, memberLease, maxMembers);
  }

  public SubscriptionSettings withEnabled(boolean value) {
    return new SubscriptionSettings(value, credit, deliveryTimeout, retryDelay, checkpointEvery,
        checkpointInterval, pollInterval, tailReadGap, claimInterval, maxPerTenant, memberLease, maxMembers);
  }

  public SubscriptionSettings withMembers(Duration lease, int max) {
    return new SubscriptionSettings(enabled, credit, deliveryTimeout, retryDelay, checkpointEvery,
        checkpointInterval, pollInterval, tailReadGap, claimInterval, maxPerTenant, lease, max);
  }

  private static void between(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", got " + value);
    }
  }

  private static void positive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + value);
    }
  }
}
