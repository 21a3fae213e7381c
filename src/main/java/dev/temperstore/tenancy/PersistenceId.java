package dev.temperstore.tenancy;

import dev.temperstore.errors.InvalidRequest;

import java.util.Comparator;

/**
 * The address of one event stream: {@code tenant:entity_type:entity_id}, as Temper spells it.
 *
 * <p>Parsing follows Temper's {@code splitn(3, ':')}: the entity id may contain colons
 * ({@code beta:Task:T-1:sub} is entity {@code T-1:sub}); the legacy two-segment form {@code entity_type:entity_id}
 * means tenant {@code default}; an empty segment, or a single segment, is refused.
 */
public record PersistenceId(String tenant, String entityType, String entityId) {

  public static final String DEFAULT_TENANT = "default";
  /** Tenant, then entity type, then entity id: the one order in which writers take streams' row locks. */
  public static final Comparator<PersistenceId> ORDER = Comparator.comparing(PersistenceId::tenant)
      .thenComparing(PersistenceId::entityType)
      .thenComparing(PersistenceId::entityId);
  /** Longer ids are refused: they only ever come from bugs or abuse, and they are indexed. */
  public static final int MAX_LENGTH = 1024;

  public PersistenceId {
    Tenants.validate(tenant);
    requireSegment("entity type", entityType);
    requireSegment("entity id", entityId);
    if (entityType.indexOf(':') >= 0) {
      throw new InvalidRequest("invalid entity type \"" + Tenants.shown(entityType) + "\": it must not contain ':'");
    }
    if (tenant.length() + entityType.length() + entityId.length() + 2 > MAX_LENGTH) {
      throw new InvalidRequest("persistence id is longer than " + MAX_LENGTH + " characters");
    }
  }

  /** @throws InvalidRequest naming what is wrong with {@code text} */
  public static PersistenceId parse(String text) {
    if (text == null) {
      throw new InvalidRequest("persistence id is missing");
    }
    if (text.length() > MAX_LENGTH) {
      throw new InvalidRequest("persistence id is longer than " + MAX_LENGTH + " characters");
    }
    String[] parts = text.split(":", 3);
    return switch (parts.length) {
      case 3 -> new PersistenceId(segment(text, parts[0], "tenant"), segment(text, parts[1], "entity type"),
          segment(text, parts[2], "entity id"));
      case 2 -> new PersistenceId(DEFAULT_TENANT, segment(text, parts[0], "entity type"),
          segment(text, parts[1], "entity id"));
      default -> throw new InvalidRequest("invalid persistence id \"" + Tenants.shown(text)
          + "\": expected tenant:entity_type:entity_id or entity_type:entity_id");
    };
  }

  @Override
  public String toString() {
    return tenant + ":" + entityType + ":" + entityId;
  }

  private static String segment(String text, String value, String name) {
    if (value.isEmpty()) {
      throw new InvalidRequest("invalid persistence id \"" + Tenants.shown(text) + "\": empty " + name + " segment");
    }
    return value;
  }

  private static void requireSegment(String name, String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidRequest("invalid persistence id: empty " + name);
    }
  }
}
