package dev.temperstore.tenancy;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.internal.input.Text;

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
  /**
   * The most UTF-8 bytes of {@code tenant:entity_type:entity_id}: longer ids only ever come from bugs or abuse,
   * and every accepted id must fit the unique indexes (a btree entry holds at most 2704 bytes).
   */
  public static final int MAX_LENGTH = 1024;

  public PersistenceId {
    Tenants.validate(tenant);
    requireSegment("entity type", entityType);
    requireSegment("entity id", entityId);
    if (entityType.indexOf(':') >= 0) {
      throw new InvalidRequest("invalid entity type \"" + Text.shown(entityType) + "\": it must not contain ':'");
    }
    if (tenant.length() + entityType.length() + entityId.length() + 2 > MAX_LENGTH) {
      throw tooLong();
    }
    Text.check("entity type", entityType);
    Text.check("entity id", entityId);
    if (Text.utf8Length(tenant) + Text.utf8Length(entityType) + Text.utf8Length(entityId) + 2 > MAX_LENGTH) {
      throw tooLong();
    }
  }

  /** {@code entityType} if it could name streams' entity type (as in a persistence id), else InvalidRequest. */
  public static String checkEntityType(String entityType) {
    requireSegment("entity type", entityType);
    if (entityType.indexOf(':') >= 0) {
      throw new InvalidRequest("invalid entity type \"" + Text.shown(entityType) + "\": it must not contain ':'");
    }
    if (Text.utf8Length(entityType) > MAX_LENGTH) {
      throw tooLong();
    }
    return Text.check("entity type", entityType);
  }

  /** @throws InvalidRequest naming what is wrong with {@code text} */
  public static PersistenceId parse(String text) {
    if (text == null) {
      throw new InvalidRequest("persistence id is missing");
    }
    if (text.length() > MAX_LENGTH) {
      throw tooLong();
    }
    String[] parts = text.split(":", 3);
    return switch (parts.length) {
      case 3 -> new PersistenceId(segment(text, parts[0], "tenant"), segment(text, parts[1], "entity type"),
          segment(text, parts[2], "entity id"));
      case 2 -> new PersistenceId(DEFAULT_TENANT, segment(text, parts[0], "entity type"),
          segment(text, parts[1], "entity id"));
      default -> throw new InvalidRequest("invalid persistence id \"" + Text.shown(text)
          + "\": expected tenant:entity_type:entity_id or entity_type:entity_id");
    };
  }

  @Override
  public String toString() {
    return tenant + ":" + entityType + ":" + entityId;
  }

  private static String segment(String text, String value, String name) {
    if (value.isEmpty()) {
      throw new InvalidRequest("invalid persistence id \"" + Text.shown(text) + "\": empty " + name + " segment");
    }
    return value;
  }

  private static InvalidRequest tooLong() {
    return new InvalidRequest("persistence id is longer than " + MAX_LENGTH + " UTF-8 bytes (as tenant:entity_type:entity_id)");
  }

  private static void requireSegment(String name, String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidRequest("invalid persistence id: empty " + name);
    }
  }
}
