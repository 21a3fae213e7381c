package dev.temperstore.events;

import java.util.List;
import java.util.Optional;

/**
 * One page of entity ids, ordered by (entity type, entity id).
 *
 * @param next pass as {@code after} for the following page; empty on the last page
 */
public record EntityIdPage(List<EntityId> ids, Optional<EntityId> next) {

  public EntityIdPage {
    ids = List.copyOf(ids);
  }
}
