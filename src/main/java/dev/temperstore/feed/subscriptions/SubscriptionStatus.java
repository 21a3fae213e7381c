package dev.temperstore.feed.subscriptions;

import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;

import java.time.Instant;
import java.util.List;

/**
 * A subscription as {@code subscriptions.list} shows it.
 *
 * @param checkpoint     every event up to here is acknowledged (the last position persisted)
 * @param checkpointedAt when the checkpoint was last saved or reset
 * @param lagEvents      events after the checkpoint that the filter admits, counted up to {@link Subscriptions#LAG_COUNT_CAP}
 * @param lagSeconds     the age of the oldest of them, 0 when none
 * @param members        its consumer group's live members by name; empty: it delivers to {@code address}
 */
public record SubscriptionStatus(String name, String address, FeedFilter filter, FeedPosition checkpoint,
                                 Instant checkpointedAt, long lagEvents, double lagSeconds,
                                 List<SubscriptionMember> members) {

  public SubscriptionStatus {
    members = List.copyOf(members);
  }

  /** A subscription without members. */
  public SubscriptionStatus(String name, String address, FeedFilter filter, FeedPosition checkpoint,
                            Instant checkpointedAt, long lagEvents, double lagSeconds) {
    this(name, address, filter, checkpoint, checkpointedAt, lagEvents, lagSeconds, List.of());
  }

  public SubscriptionStatus withMembers(List<SubscriptionMember> value) {
    return new SubscriptionStatus(name, address, filter, checkpoint, checkpointedAt, lagEvents, lagSeconds, value);
  }
}
