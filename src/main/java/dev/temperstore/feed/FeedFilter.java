package dev.temperstore.feed;

import java.util.Set;

/** Which events a feed holds: some entity types (categories) and some event types; empty means every one. */
public record FeedFilter(Set<String> entityTypes, Set<String> eventTypes) {

  public static final FeedFilter ALL = new FeedFilter(Set.of(), Set.of());

  public FeedFilter {
    entityTypes = Set.copyOf(entityTypes);
    eventTypes = Set.copyOf(eventTypes);
  }

  public static FeedFilter entityTypes(String... types) {
    return new FeedFilter(Set.of(types), Set.of());
  }

  public boolean matches(String entityType, String eventType) {
    return (entityTypes.isEmpty() || entityTypes.contains(entityType))
        && (eventTypes.isEmpty() || eventTypes.contains(eventType));
  }
}
