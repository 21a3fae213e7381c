package dev.temperstore.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Seeded generator of hostile requests: a valid request for one of the store's addresses with one field (or a
 * value deep inside its payload) replaced by a value of one hostile class. Tenants it names are never the victims'
 * exact names, only look-alikes that an unchecked store would merge with them.
 */
public final class HostileRequests {

  /** The classes of hostile value, as reported in docs/security.md. */
  public enum ValueClass {
    NUL, LONE_SURROGATE, MULTI_BYTE_AT_LIMIT, HUGE_STRING, DEEP_NESTING, NUMERIC_EDGE, WRONG_TYPE, MISSING_FIELD,
    NON_CANONICAL_ID
  }

  public record Hostile(String address, ValueClass valueClass, String field, JsonObject body) {
  }

  static final List<String> OPERATIONS = List.of("events.append", "events.append-batch", "events.read",
      "events.list-entities", "events.read-all", "snapshots.save", "snapshots.load", "secrets.put", "secrets.get", "secrets.delete",
      "secrets.list", "secrets.rotate", "streams.truncate", "streams.delete", "streams.tombstone", "retention.set",
      "retention.clear", "retention.list", "subjects.forget", "subjects.export", "subjects.check");

  private static final String CJK = "\u4e2d";
  private static final String EMOJI = "\ud83d\ude00";

  private final Random random;

  public HostileRequests(long seed) {
    this.random = new Random(seed);
  }

  public Hostile next() {
    String operation = OPERATIONS.get(random.nextInt(OPERATIONS.size()));
    ValueClass valueClass = ValueClass.values()[random.nextInt(ValueClass.values().length)];
    JsonObject body = valid(operation);
    List<String> fields = fieldsOf(operation);
    String field = fields.get(random.nextInt(fields.size()));
    Object value = valueClass == ValueClass.MISSING_FIELD ? null : value(valueClass, field);
    put(body, field, value);
    return new Hostile("temper.store." + operation, valueClass, field, body);
  }

  private static JsonObject valid(String operation) {
    return switch (operation) {
      case "events.append" -> append("mallory:Order:o-1");
      case "events.append-batch" -> new JsonObject().put("appends", new JsonArray().add(append("mallory:Order:o-2")));
      case "events.read" -> new JsonObject().put("persistenceId", "mallory:Order:o-1").put("fromSequence", 0)
          .put("limit", 10);
      case "events.list-entities" -> new JsonObject().put("tenant", "mallory").put("entityType", "Order")
          .put("after", new JsonObject().put("entityType", "Order").put("entityId", "a")).put("limit", 10);
      case "events.read-all" -> new JsonObject().put("tenant", "mallory").put("after", "0:0")
          .put("entityTypes", new JsonArray().add("Order")).put("eventTypes", new JsonArray().add("Placed"))
          .put("notices", true).put("limit", 10);
      case "snapshots.save" -> new JsonObject().put("persistenceId", "mallory:Order:o-1").put("sequenceNr", 1)
          .put("state", "c3RhdGU=");
      case "snapshots.load" -> new JsonObject().put("persistenceId", "mallory:Order:o-1");
      case "secrets.put" -> new JsonObject().put("tenant", "mallory").put("keyName", "api").put("value", "v");
      case "secrets.rotate" -> new JsonObject().put("tenant", "mallory").put("maxRows", 10);
      case "secrets.list" -> new JsonObject().put("tenant", "mallory");
      case "streams.truncate" -> new JsonObject().put("persistenceId", "mallory:Order:o-1").put("before", 1)
          .put("expectedSequence", 0).put("actor", "fuzz");
      case "streams.delete", "streams.tombstone" -> new JsonObject().put("persistenceId", "mallory:Order:o-3")
          .put("expectedSequence", 0).put("actor", "fuzz");
      case "retention.set" -> new JsonObject().put("tenant", "mallory").put("entityType", "Order")
          .put("maxAgeSeconds", 3600).put("maxCount", 10).put("actor", "fuzz");
      case "retention.clear" -> new JsonObject().put("tenant", "mallory").put("entityType", "Order")
          .put("actor", "fuzz");
      case "retention.list" -> new JsonObject().put("tenant", "mallory");
      case "subjects.forget" -> new JsonObject().put("tenant", "mallory").put("subject", "m-2").put("actor", "fuzz");
      case "subjects.export", "subjects.check" -> new JsonObject().put("tenant", "mallory").put("subject", "m-1")
          .put("after", new JsonObject().put("persistenceId", "mallory:Order:o-1").put("sequenceNr", 0))
          .put("limit", 10);
      default -> new JsonObject().put("tenant", "mallory").put("keyName", "api");
    };
  }

  private static List<String> fieldsOf(String operation) {
    return switch (operation) {
      case "events.append" -> List.of("persistenceId", "expectedSequence", "events[0].eventType",
          "events[0].payload", "events[0].payload.note", "events[0].payload.nested.deeper", "events[0].payload.key",
          "events[0].metadata.eventId", "events[0].metadata.causationId", "events[0].metadata.actorId",
          "events[0].metadata.timestamp", "events[0].personal", "events[0].personal.subject",
          "events[0].personal.fields", "events[0].personal.replacements");
      case "events.append-batch" -> List.of("appends[0].persistenceId", "appends[0].events[0].payload.note",
          "appends[0].events[0].eventType", "appends[0].events[0].metadata.eventId");
      case "events.read" -> List.of("persistenceId", "fromSequence", "limit");
      case "events.list-entities" -> List.of("tenant", "entityType", "after.entityType", "after.entityId", "limit");
      case "events.read-all" -> List.of("tenant", "after", "entityTypes", "eventTypes", "notices", "limit");
      case "snapshots.save" -> List.of("persistenceId", "sequenceNr", "state");
      case "snapshots.load" -> List.of("persistenceId");
      case "secrets.put" -> List.of("tenant", "keyName", "value");
      case "secrets.rotate" -> List.of("tenant", "maxRows");
      case "secrets.list" -> List.of("tenant");
      case "streams.truncate" -> List.of("persistenceId", "before", "expectedSequence", "actor");
      case "streams.delete", "streams.tombstone" -> List.of("persistenceId", "expectedSequence", "actor");
      case "retention.set" -> List.of("tenant", "entityType", "maxAgeSeconds", "maxCount", "actor");
      case "retention.clear" -> List.of("tenant", "entityType", "actor");
      case "retention.list" -> List.of("tenant");
      case "subjects.forget" -> List.of("tenant", "subject", "actor");
      case "subjects.export", "subjects.check" -> List.of("tenant", "subject", "after", "after.persistenceId",
          "after.sequenceNr", "limit");
      default -> List.of("tenant", "keyName");
    };
  }

  private Object value(ValueClass valueClass, String field) {
    boolean idField = field.endsWith("persistenceId");
    boolean tenantField = field.equals("tenant");
    return switch (valueClass) {
      case NUL -> tenantField ? pick(() -> "victim\u0000", () -> "vic\u0000tim")
          : idField ? pick(() -> "victim:Order:v\u0000", () -> "victim\u0000:Order:v-1", () -> "Order:\u0000")
          : pick(() -> "\u0000", () -> "text\u0000tail");
      case LONE_SURROGATE -> tenantField ? pick(() -> "victim\ud800", () -> "victim\udc00", () -> "victim\ude00\ud83d")
          : idField ? pick(() -> "victim\ud800:Order:v-1", () -> "victim:Order:v-1\udfff")
          : pick(() -> "\ud800", () -> "a\udc00b", () -> "\ude00\ud83d");
      case MULTI_BYTE_AT_LIMIT -> idField ? "mallory:Order:" + CJK.repeat(pick(() -> 336, () -> 337, () -> 950))
          : tenantField ? pick(() -> CJK.repeat(85), () -> CJK.repeat(86), () -> EMOJI.repeat(64), () -> EMOJI.repeat(65))
          : pick(() -> CJK.repeat(256), () -> CJK.repeat(257), () -> EMOJI.repeat(128), () -> "x".repeat(256));
      case HUGE_STRING -> "y".repeat(pick(() -> 10_000, () -> 300_000, () -> 5_000_000));
      case DEEP_NESTING -> nested(pick(() -> 99, () -> 101, () -> 1000));
      case NUMERIC_EDGE -> pick(() -> Double.NaN, () -> Double.POSITIVE_INFINITY, () -> Double.NEGATIVE_INFINITY,
          () -> new BigDecimal("1e400"), () -> new BigDecimal("-1e-400"), () -> new BigDecimal("1.00000000000000000001"),
          () -> BigInteger.TEN.pow(1200), () -> new BigInteger("9223372036854775808"), () -> Long.MIN_VALUE,
          () -> Long.MAX_VALUE, () -> -0.0, () -> Double.MIN_VALUE, () -> -1, () -> Integer.MAX_VALUE);
      case WRONG_TYPE -> pick(() -> new JsonArray().add(1), () -> new JsonObject().put("a", 1), () -> true, () -> 3.5,
          () -> "", () -> 42);
      case NON_CANONICAL_ID -> pick(() -> "1-1-1-1-1", () -> UUID.randomUUID().toString().toUpperCase(),
          () -> "{" + UUID.randomUUID() + "}", () -> UUID.randomUUID().toString().replace("-", ""),
          () -> "mallory::o", () -> ":Order:o", () -> "mallory:Or:der:o", () -> "single",
          () -> "2026-13-45T99:99:99Z", () -> "-0001-01-01T00:00:00Z");
      case MISSING_FIELD -> null;
    };
  }

  @SafeVarargs
  private <T> T pick(Supplier<? extends T>... options) {
    return options[random.nextInt(options.length)].get();
  }

  private static Object nested(int depth) {
    JsonObject root = new JsonObject();
    JsonObject inner = root;
    for (int i = 1; i < depth; i++) {
      JsonObject next = new JsonObject();
      inner.put("n", next);
      inner = next;
    }
    return root;
  }

  private static JsonObject append(String persistenceId) {
    return new JsonObject().put("persistenceId", persistenceId).put("expectedSequence", 0)
        .put("events", new JsonArray().add(new JsonObject().put("eventType", "Placed")
            .put("payload", new JsonObject().put("note", "n").put("nested", new JsonObject().put("deeper", 1)))
            .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "m"))
            .put("personal", new JsonObject().put("subject", "m-1").put("fields", new JsonArray().add("/note"))
                .put("replacements", new JsonObject().put("/note", "gone")))));
  }

  /** Sets (or, for null, removes) the value at a path such as {@code appends[0].events[0].payload.note}. */
  private static void put(JsonObject body, String path, Object value) {
    String[] parts = path.split("\\.");
    Object current = body;
    for (int i = 0; i < parts.length - 1; i++) {
      current = child(current, parts[i]);
    }
    String last = parts[parts.length - 1];
    JsonObject target = (JsonObject) current;
    if (last.equals("key")) { // a hostile object key rather than value
      target.put(value instanceof String text ? text : String.valueOf(value), 1);
    } else if (value == null) {
      target.remove(last);
    } else {
      target.put(last, value);
    }
  }

  private static Object child(Object current, String part) {
    int bracket = part.indexOf('[');
    if (bracket < 0) {
      return ((JsonObject) current).getValue(part);
    }
    JsonArray array = ((JsonObject) current).getJsonArray(part.substring(0, bracket));
    return array.getValue(Integer.parseInt(part.substring(bracket + 1, part.length() - 1)));
  }
}
