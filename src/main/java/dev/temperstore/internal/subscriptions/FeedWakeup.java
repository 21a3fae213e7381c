package dev.temperstore.internal.subscriptions;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Whose feeds a wake-up is for: the tenants that appended since the last one, or every tenant when that is not
 * known (a notification without names, a (re)connection, too many names to carry). Only the deliverers of those
 * tenants read: with a subscription in each of many tenants, a wake-up per commit for all of them made every
 * caught-up deliverer read its empty feed at every tail-read gap.
 */
public record FeedWakeup(Set<String> tenants, boolean everyTenant) {

  public static final FeedWakeup EVERY_TENANT = new FeedWakeup(Set.of(), true);

  /** Tenants one wake-up names at most; beyond, it is for every tenant. */
  public static final int MAX_TENANTS = 1000;
  /** A notification's payload must stay under PostgreSQL's 8,000 bytes; beyond this it names no tenant. */
  private static final int MAX_PAYLOAD_BYTES = 7000;

  public FeedWakeup {
    tenants = Set.copyOf(tenants);
  }

  /** A wake-up for {@code tenants}, or for every tenant when they are more than {@link #MAX_TENANTS}. */
  public static FeedWakeup of(Collection<String> tenants) {
    return tenants.size() > MAX_TENANTS ? EVERY_TENANT : new FeedWakeup(Set.copyOf(tenants), false);
  }

  /** Whether the deliverers of {@code tenant} should read. */
  public boolean concerns(String tenant) {
    return everyTenant || tenants.contains(tenant);
  }

  /** As a local bus message's body: the tenants' names, or null for every tenant. */
  public JsonArray toJson() {
    return everyTenant ? null : new JsonArray(java.util.List.copyOf(tenants));
  }

  /** From a local bus message's body: null (or anything but names) is every tenant. */
  public static FeedWakeup fromJson(Object body) {
    if (!(body instanceof JsonArray names)) {
      return EVERY_TENANT;
    }
    Set<String> tenants = new HashSet<>();
    for (Object name : names) {
      if (!(name instanceof String tenant)) {
        return EVERY_TENANT;
      }
      tenants.add(tenant);
    }
    return of(tenants);
  }

  /** As a notification's payload: a JSON array of the names, or empty for every tenant (or when too long). */
  public String toPayload() {
    if (everyTenant) {
      return "";
    }
    String payload = toJson().encode();
    return payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES ? "" : payload;
  }

  /** From a notification's payload; empty or not an array of names (another sender's): every tenant. */
  public static FeedWakeup fromPayload(String payload) {
    if (payload == null || payload.isBlank()) {
      return EVERY_TENANT;
    }
    try {
      return fromJson(new JsonArray(payload));
    } catch (DecodeException | ClassCastException e) {
      return EVERY_TENANT;
    }
  }
}
