package dev.temperstore.internal.wire;

import dev.temperstore.lifecycle.PurgeReceipt;
import dev.temperstore.lifecycle.RetentionPolicy;
import dev.temperstore.lifecycle.StreamChange;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/** Stream lifecycle and retention messages as JSON, both ways (docs/protocol.md, "Stream lifecycle"). */
public final class LifecycleJson {

  private LifecycleJson() {
  }

  public static JsonObject change(StreamChange change) {
    return new JsonObject()
        .put("persistenceId", change.stream().toString())
        .put("changed", change.changed())
        .put("head", change.head())
        .put("servedFrom", change.servedFrom())
        .put("events", change.events())
        .put("snapshots", change.snapshots())
        .put("tombstoned", change.tombstoned());
  }

  public static StreamChange change(JsonObject reply) {
    return new StreamChange(PersistenceId.parse(reply.getString("persistenceId")), reply.getBoolean("changed"),
        reply.getLong("head"), reply.getLong("servedFrom"), reply.getLong("events"), reply.getLong("snapshots"),
        reply.getBoolean("tombstoned"));
  }

  /** A request naming {@code stream}, with its expected head when given. */
  public static JsonObject streamRequest(PersistenceId stream, OptionalLong expectedHead) {
    JsonObject request = new JsonObject().put("persistenceId", stream.toString());
    expectedHead.ifPresent(head -> request.put("expectedSequence", head));
    return request;
  }

  public static OptionalLong expectedHead(Fields request) {
    return request.optionalNonNegativeLong("expectedSequence").map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  public static JsonObject receipt(PurgeReceipt receipt) {
    return new JsonObject()
        .put("tenant", receipt.tenant())
        .put("purgeId", receipt.purgeId())
        .put("finished", receipt.finished())
        .put("startedAt", receipt.startedAt().toString())
        .put("finishedAt", receipt.finishedAt().map(Instant::toString).orElse(null))
        .put("removed", new JsonObject(new TreeMap<>(receipt.removed())))
        .put("remaining", new JsonObject(new TreeMap<>(receipt.remaining())));
  }

  public static PurgeReceipt receipt(JsonObject reply) {
    return new PurgeReceipt(reply.getString("tenant"), reply.getLong("purgeId"),
        Instant.parse(reply.getString("startedAt")),
        Optional.ofNullable(reply.getString("finishedAt")).map(Instant::parse), counts(reply.getJsonObject("removed")),
        counts(reply.getJsonObject("remaining")));
  }

  /** Rows per table, as a receipt's {@code removed} and {@code remaining} hold them. */
  public static Map<String, Long> counts(JsonObject json) {
    Map<String, Long> counts = new TreeMap<>();
    json.forEach(entry -> counts.put(entry.getKey(), ((Number) entry.getValue()).longValue()));
    return counts;
  }

  public static JsonObject policy(RetentionPolicy policy) {
    JsonObject json = new JsonObject().put("entityType", policy.entityType());
    policy.maxAge().ifPresent(age -> json.put("maxAgeSeconds", age.toSeconds()));
    policy.maxCount().ifPresent(count -> json.put("maxCount", count));
    return json;
  }

  /** A policy as a request states it: whole seconds and a count, each checked at the gate. */
  public static RetentionPolicy policy(Fields request) {
    String type = request.string("entityType", PersistenceId.MAX_LENGTH);
    Optional<Duration> age = request.optionalNonNegativeLong("maxAgeSeconds").map(Duration::ofSeconds);
    OptionalLong count = request.optionalNonNegativeLong("maxCount").map(OptionalLong::of)
        .orElse(OptionalLong.empty());
    return new RetentionPolicy(PersistenceId.checkEntityType(type), age, count);
  }

  public static JsonObject policies(List<RetentionPolicy> policies) {
    return new JsonObject().put("policies", new JsonArray(policies.stream().map(LifecycleJson::policy).toList()));
  }

  public static List<RetentionPolicy> policies(JsonObject reply) {
    return reply.getJsonArray("policies").stream().map(JsonObject.class::cast)
        .map(json -> new RetentionPolicy(json.getString("entityType"),
            Optional.ofNullable(json.getLong("maxAgeSeconds")).map(Duration::ofSeconds),
            json.containsKey("maxCount") ? OptionalLong.of(json.getLong("maxCount")) : OptionalLong.empty()))
        .toList();
  }
}
