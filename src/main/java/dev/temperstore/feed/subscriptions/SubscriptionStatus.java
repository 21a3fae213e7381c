package dev.temperstore.feed.subscriptions;

import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;

import java.time.Instant;

/**
 * A subscription as {@code subscriptions.list} shows it.
 *
 * @param checkpoint     every event up to here is acknowledged (the last position persisted)
 * @param checkpointedAt when the checkpoint was last saved or reset
 * @param lagEvents      events after the checkpoint that the filter admits, counted up to {@link Subscriptions#LAG_COUNT_CAP}
 * @param lagSeconds     the age of the oldest of them, 0 when none
 */
public record SubscriptionStatus(String name, String address, FeedFilter filter, FeedPosition checkpoint,
                                 Instant checkpointedAt, long lagEvents, double lagSeconds) {
}
