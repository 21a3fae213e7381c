package dev.temperstore.feed;

import java.util.List;

/**
 * One page of a feed. {@code next} is the position to read after (the last event's, or the one asked for when the
 * page is empty); {@code hasMore} says another page is ready now. An empty page means the reader is caught up.
 */
public record FeedPage(List<FeedEvent> events, FeedPosition next, boolean hasMore) {
}
