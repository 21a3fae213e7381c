package dev.temperstore.feed.subscriptions;

import java.time.Instant;

/**
 * A live member of a subscription's consumer group, as {@code subscriptions.list} shows it: its name, the address
 * its share of the streams is delivered to, and when its lease ends unless renewed.
 */
public record SubscriptionMember(String name, String address, Instant expiresAt) {
}
