/** Durable subscriptions: named feed readers whose events the store delivers to a consumer or a consumer group. */
package dev.temperstore.feed.subscriptions;
