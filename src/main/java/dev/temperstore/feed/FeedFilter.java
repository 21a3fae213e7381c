package dev.temperstore.feed;

import java.util.Set;

/**
 * Which events a feed holds: some entity types (categories) and some event types; empty means every one. With
 * {@code notices}, it also holds the lifecycle's notices ({@link LifecycleNotice}) of the streams of those entity
 * types and of the tenant, whatever the event types.
 */
public record FeedFilter(Set<String> entityTypes, Set<String> eventTypes, boolean notices) {

  public static final FeedFilter ALL = new FeedFilter(Set.of(), Set.of());

  public FeedFilter {
    entityTypes = Set.copyOf(entityTypes);
    eventTypes = Set.copyOf(eventTypes);
  }

  /** Events only, no notices. */
  public FeedFilter(Set<String> entityTypes, Set<String> eventTypes) {
    this(entityTypes, eventTypes, false);
  }

  public static FeedFilter entityTypes(String... types) {
    return new FeedFilter(Set.of(types), Set.of());
  }

  /** This filter, also holding the lifecycle's notices. */
  public FeedFilter withNotices() {
    return new FeedFilter(entityTypes, eventTypes, true);
  }

  public boolean matches(String entityType, String eventType) {
    return (entityTypes.isEmpty() || entityTypes.contains(entityType))
        && (eventTypes.isEmpty() || eventTypes.contains(eventType));
  }
}
