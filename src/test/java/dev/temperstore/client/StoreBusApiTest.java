package dev.temperstore.client;

import dev.temperstore.internal.wire.EventJson;
import dev.temperstore.protocol.BusLimits;
import dev.temperstore.testing.Await;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.errors.Unavailable;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.AppendResult;
import dev.temperstore.events.EntityId;
import dev.temperstore.events.EventPage;
import dev.temperstore.events.NewEvent;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TableLock;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreBusApiTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final PersistenceId ORDER = PersistenceId.parse("acme:Order:o-1");

  private StoreClient client;

  @BeforeEach
  void storeDeployed() {
    deploy(BusLimits.defaults());
    client = StoreClient.create(vertx);
  }

  @Test
  void every_event_and_snapshot_operation_round_trips_through_the_typed_client() {
    List<NewEvent> written = events(3);

    assertThat(await(client.append(ORDER, 0, written))).isEqualTo(3);
    List<AppendResult> batch = await(client.appendBatch(List.of(
        new AppendRequest(ORDER, 3, events(1)), new AppendRequest(PersistenceId.parse("acme:Invoice:i-1"), 0, events(2)))));
    EventPage page = await(client.read(ORDER, 0, 2));
    EventPage rest = await(client.read(ORDER, page.nextFrom(), 10));
    var entities = await(client.listEntityIds("acme", Optional.empty(), Optional.empty(), 10));
    await(client.save(ORDER, 4, "state-4".getBytes(StandardCharsets.UTF_8)));
    var snapshot = await(client.load(ORDER)).orElseThrow();

    assertThat(batch).containsExactly(new AppendResult(ORDER, 4),
        new AppendResult(PersistenceId.parse("acme:Invoice:i-1"), 2));
    assertThat(page.events()).hasSize(2);
    assertThat(page.hasMore()).isTrue();
    assertThat(page.events().get(0).payload()).isEqualTo(written.get(0).payload());
    assertThat(page.events().get(0).metadata()).isEqualTo(written.get(0).metadata());
    assertThat(rest.events()).extracting(e -> e.sequenceNr()).containsExactly(3L, 4L);
    assertThat(rest.hasMore()).isFalse();
    assertThat(entities.ids()).containsExactly(new EntityId("Invoice", "i-1"), new EntityId("Order", "o-1"));
    assertThat(snapshot.sequenceNr()).isEqualTo(4);
    assertThat(new String(snapshot.state(), StandardCharsets.UTF_8)).isEqualTo("state-4");
    assertThat(await(client.load(PersistenceId.parse("acme:Order:none")))).isEmpty();
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(6);
  }

  @Test
  void raw_json_messages_get_json_replies() {
    JsonObject append = new JsonObject().put("persistenceId", "acme:Order:raw").put("expectedSequence", 0)
        .put("events", new JsonArray().add(new JsonObject().put("eventType", "Placed")
            .put("payload", new JsonObject().put("total", 12))
            .put("metadata", new JsonObject().put("eventId", "0f8fad5b-d9cb-469f-a165-70867728950e")
                .put("actorId", "user-7"))));

    JsonObject appended = request("temper.store.events.append", append);
    JsonObject read = request("temper.store.events.read", new JsonObject().put("persistenceId", "acme:Order:raw"));

    assertThat(appended).isEqualTo(new JsonObject().put("sequenceNr", 1));
    JsonObject event = read.getJsonArray("events").getJsonObject(0);
    assertThat(event.getLong("sequenceNr")).isEqualTo(1);
    assertThat(event.getJsonObject("payload")).isEqualTo(new JsonObject().put("total", 12));
    assertThat(event.getJsonObject("metadata").getString("causationId")).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
    assertThat(read.getLong("nextFrom")).isEqualTo(1);
    assertThat(read.getBoolean("hasMore")).isFalse();
  }

  @Test
  void raw_json_replies_are_ordinary_json_in_the_documented_field_order() {
    await(client.append(ORDER, 0, events(1)));

    JsonObject read = request("temper.store.events.read", new JsonObject().put("persistenceId", ORDER.toString()));
    JsonObject feed = request("temper.store.events.read-all", new JsonObject().put("tenant", "acme"));

    assertThat(read.fieldNames()).containsExactly("events", "nextFrom", "hasMore");
    assertThat(read.getJsonArray("events").getJsonObject(0).fieldNames())
        .containsExactly("sequenceNr", "eventType", "payload", "metadata");
    assertThat(read.getJsonArray("events").getJsonObject(0).getJsonObject("metadata").fieldNames())
        .containsExactly("eventId", "causationId", "correlationId", "timestamp", "actorId");
    assertThat(feed.getJsonArray("events").getJsonObject(0).fieldNames())
        .containsExactly("sequenceNr", "eventType", "payload", "metadata", "position", "persistenceId");
    read.getJsonArray("events").getJsonObject(0).put("seen", true); // the caller's own copy
    assertThat(read.getJsonArray("events").getJsonObject(0).getBoolean("seen")).isTrue();
  }

  @Test
  void payloads_of_every_json_class_read_back_as_written_through_the_typed_client_and_as_raw_json() {
    JsonObject nested = new JsonObject().put("leaf", "é");
    for (int depth = 0; depth < 90; depth++) {
      nested = new JsonObject().put("d", nested);
    }
    List<Object> payloads = List.of(
        new JsonObject().put("text", "€".repeat(87_000)), // 261,000 bytes of UTF-8, just under the event limit
        new JsonObject().put("controls", "\u0001\t\n\"\\ \uD83D\uDE00 中文"),
        new JsonObject().put("long", Long.MAX_VALUE).put("negative", Long.MIN_VALUE).put("fraction", 0.1),
        nested,
        new JsonArray().add(1).add("two").add(new JsonArray()).addNull(),
        "a string alone", 42, true);
    List<NewEvent> written = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      NewEvent template = events(payloads.size()).get(i);
      written.add(new NewEvent(template.eventType(), payloads.get(i), template.metadata()));
    }
    await(client.append(ORDER, 0, written));

    EventPage typed = await(client.read(ORDER, 0, 100));
    JsonArray raw = request("temper.store.events.read", new JsonObject().put("persistenceId", ORDER.toString()))
        .getJsonArray("events");

    for (int i = 0; i < payloads.size(); i++) {
      assertThat(typed.events().get(i).payload()).as("typed payload %d", i).isEqualTo(payloads.get(i));
      assertThat(raw.getJsonObject(i).getValue("payload")).as("raw payload %d", i).isEqualTo(payloads.get(i));
    }
  }

  @Test
  void a_stored_payload_the_json_parser_cannot_read_fails_a_raw_read_with_a_500_and_only_its_own_payload_for_the_typed_client() {
    database.admin().execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
        + " metadata) VALUES ('acme', 'Order', 'o-1', 1, 'Imported', '" + "[".repeat(1500) + "]".repeat(1500)
        + "', '{\"event_id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"causation_id\":"
        + " \"0f8fad5b-d9cb-469f-a165-70867728950e\", \"correlation_id\": \"0f8fad5b-d9cb-469f-a165-70867728950e\","
        + " \"timestamp\": \"2026-12-01T10:00:00Z\", \"actor_id\": \"importer\"}')");
    await(client.append(ORDER, 1, events(1)));

    ReplyException raw = failure("temper.store.events.read", new JsonObject().put("persistenceId", ORDER.toString()));
    EventPage typed = await(client.read(ORDER, 0, 10));

    assertThat(raw.failureCode()).isEqualTo(500);
    assertThat(new JsonObject(raw.getMessage()).getString("message")).startsWith("storage error: serialization error:"
        + " the payload of event 0f8fad5b-d9cb-469f-a165-70867728950e (sequence 1) cannot be read as JSON: ");
    assertThat(typed.events()).hasSize(2);
    assertThatThrownBy(() -> typed.events().get(0).payload()).isInstanceOf(StorageFailure.class);
    assertThat(typed.events().get(1).payload()).isNotNull();
    assertThat(request("temper.store.events.read", new JsonObject().put("persistenceId", ORDER.toString())
        .put("fromSequence", 1)).getJsonArray("events")).hasSize(1);
    // another tenant's traffic meanwhile is untouched
    PersistenceId other = PersistenceId.parse("globex:Order:o-1");
    assertThat(await(client.append(other, 0, events(2)))).isEqualTo(2);
    assertThat(request("temper.store.events.read", new JsonObject().put("persistenceId", other.toString()))
        .getJsonArray("events")).hasSize(2);
    assertThat(request("temper.store.events.read-all", new JsonObject().put("tenant", "globex"))
        .getJsonArray("events")).hasSize(2);
  }

  @Test
  void a_conflict_is_a_409_whose_json_carries_expected_and_actual_and_the_client_rebuilds_it() {
    await(client.append(ORDER, 0, events(2)));

    ReplyException raw = failure("temper.store.events.append", new JsonObject().put("persistenceId", ORDER.toString())
        .put("expectedSequence", 0).put("events", new JsonArray().add(EventJson.newEvent(events(1).get(0)))));

    assertThat(raw.failureCode()).isEqualTo(409);
    JsonObject body = new JsonObject(raw.getMessage());
    assertThat(body.getLong("expected")).isZero();
    assertThat(body.getLong("actual")).isEqualTo(2);
    assertThat(body.getString("message"))
        .isEqualTo("optimistic concurrency violation: expected sequence 0, got 2 (stream: acme:Order:o-1)");
    assertThatThrownBy(() -> await(client.append(ORDER, 1, events(1))))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> {
          assertThat(conflict.expected()).isEqualTo(1);
          assertThat(conflict.actual()).isEqualTo(2);
          assertThat(conflict.persistenceId()).isEqualTo("acme:Order:o-1");
        });
  }

  @Test
  void a_missing_snapshot_is_a_404_on_the_wire() {
    ReplyException raw = failure("temper.store.snapshots.load", new JsonObject().put("persistenceId", "acme:Order:x"));

    assertThat(raw.failureCode()).isEqualTo(404);
    assertThat(new JsonObject(raw.getMessage()).getString("message")).isEqualTo("no snapshot of acme:Order:x");
  }

  @Test
  void requests_over_the_size_limits_are_a_413_and_write_nothing() {
    assertThatThrownBy(() -> await(client.append(ORDER, 0, events(1001))))
        .isInstanceOf(TooLarge.class).hasMessage("events has 1001 items, over the limit of 1000");
    String big = "x".repeat(300_000);
    ReplyException raw = failure("temper.store.events.append", new JsonObject().put("persistenceId", ORDER.toString())
        .put("expectedSequence", 0).put("events", new JsonArray().add(
            EventJson.newEvent(events(1).get(0)).put("payload", new JsonObject().put("blob", big)))));
    assertThat(raw.failureCode()).isEqualTo(413);
    assertThat(raw.getMessage()).contains("event 1 of the append to acme:Order:o-1 has 300011 bytes of JSON payload"
        + " (UTF-8), over the limit of 262144");
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void a_database_failure_is_a_500_storage_error_naming_the_operation() {
    database.admin().execute("DROP FUNCTION temper_store_read_events");

    assertThatThrownBy(() -> await(client.read(ORDER, 0, 10)))
        .isInstanceOf(StorageFailure.class)
        .hasMessageStartingWith("storage error: read of acme:Order:o-1 failed: ")
        .hasMessageContaining("temper_store_read_events");
  }

  @Test
  void requests_beyond_the_in_flight_bound_are_refused_at_once_with_503_and_the_rest_complete() throws Exception {
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    deploy(new BusLimits(1, 1000, 1000, 1024));
    Pool blockerPool = database.asSuperuser().pool(vertx, 1);
    SqlConnection blocker = blockerPool.getConnection().await();
    blocker.query("BEGIN").execute().await();
    blocker.query("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
        + " VALUES ('acme', 'Order', 'o-1', 1, 'Blocking', '{}', '{}')").execute().await();

    CompletableFuture<Long> waiting = client.append(ORDER, 0, events(1)).subscribeAsCompletionStage();
    assertThat(waiting).isNotDone();
    awaitInFlight();

    assertThatThrownBy(() -> await(client.read(ORDER, 0, 10)))
        .isInstanceOf(Unavailable.class)
        .hasMessage("overloaded: 1 requests in flight (temper.bus.max-in-flight)");
    blocker.query("ROLLBACK").execute().await();
    assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(await(client.read(ORDER, 0, 10)).events()).hasSize(1);
    blockerPool.close().await();
  }

  @Test
  void a_stopping_store_refuses_new_requests_with_503_and_lets_the_append_in_flight_complete() throws Exception {
    Pool blockerPool = database.asSuperuser().pool(vertx, 1);
    SqlConnection blocker = blockerPool.getConnection().await();
    blocker.query("BEGIN").execute().await();
    blocker.query("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
        + " VALUES ('acme', 'Order', 'o-1', 1, 'Blocking', '{}', '{}')").execute().await();
    CompletableFuture<Long> inFlight = client.append(ORDER, 0, events(1)).subscribeAsCompletionStage();
    awaitInFlight();

    Future<Void> stopping = vertx.undeploy(vertx.deploymentIDs().iterator().next());
    Unavailable refused = refusedWithin(Duration.ofSeconds(10));
    boolean stoppedBeforeTheAppendWasAnswered = stopping.isComplete();
    blocker.query("ROLLBACK").execute().await();
    long acknowledged = inFlight.get(30, TimeUnit.SECONDS);
    stopping.await();

    assertThat(refused).hasMessage("shutting down: not taking new requests");
    assertThat(stoppedBeforeTheAppendWasAnswered).isFalse();
    assertThat(acknowledged).isEqualTo(1);
    assertThat(database.admin().strings("SELECT event_type FROM events")).containsExactly("Happened");
    blockerPool.close().await();
  }

  @Test
  void no_store_on_the_bus_is_unavailable_for_the_client() {
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());

    assertThatThrownBy(() -> await(client.read(ORDER, 0, 10)))
        .isInstanceOf(Unavailable.class)
        .hasMessage("no store serves temper.store.events.read (not started yet, or not on this event bus)");
  }

  @Test
  void hundreds_of_malformed_messages_each_get_a_400_naming_the_field_and_the_store_still_serves() {
    List<Malformed> cases = MalformedRequests.all();
    assertThat(cases).hasSizeGreaterThan(200);

    for (Malformed malformed : cases) {
      ReplyException failure = failure("temper.store." + malformed.operation(), malformed.body());
      assertThat(failure.failureCode()).as(malformed.toString()).isEqualTo(400);
      assertThat(new JsonObject(failure.getMessage()).getString("message")).as(malformed.toString())
          .contains(malformed.field());
    }

    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM snapshots")).isZero();
    assertThat(await(client.append(ORDER, 0, events(2)))).isEqualTo(2);
    assertThat(await(client.read(ORDER, 0, 10)).events()).hasSize(2);
  }

  @Test
  void invalid_values_are_refused_by_the_client_side_store_api_too() {
    assertThatThrownBy(() -> await(client.read(ORDER, 0, 0)))
        .isInstanceOf(InvalidRequest.class).hasMessage("limit must be between 1 and 1000, got 0");
  }

  /** Sends reads until one is refused as unavailable: the stop has begun by then. */
  private Unavailable refusedWithin(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        await(client.read(PersistenceId.parse("acme:Order:other"), 0, 1));
      } catch (Unavailable e) {
        return e;
      }
    }
    throw new AssertionError("no request was refused within " + timeout);
  }

  private void deploy(BusLimits limits) {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withBusLimits(limits))).await();
  }

  /** The append is in the database, waiting on the blocker's row. */
  private void awaitInFlight() {
    TableLock.awaitWaiters(database, database.owner(), 1);
  }

  private static JsonObject request(String address, Object body) {
    return vertx.eventBus().<JsonObject>request(address, body).await().body();
  }

  private static ReplyException failure(String address, Object body) {
    Future<?> reply = vertx.eventBus().request(address, body);
    try {
      reply.await();
    } catch (ReplyException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a ReplyException from " + address + ", got " + e, e);
    }
    throw new AssertionError("expected a failure from " + address + " for " + body);
  }


  /** One malformed request: where it goes, what it is, and the field its 400 must name. */
  record Malformed(String operation, Object body, String field) {
  }

  /** Wrong types, missing fields, huge strings, bad ids and non-JSON bodies, for every operation. */
  static final class MalformedRequests {

    private static final List<Object> WRONG_VALUES = List.of(42, -1, 3.5, true, "text", new JsonArray(),
        new JsonObject(), "x".repeat(5000));

    static List<Malformed> all() {
      List<Malformed> cases = new ArrayList<>();
      List<String> operations = List.of("events.append", "events.append-batch", "events.read",
          "events.list-entities", "snapshots.save", "snapshots.load");
      for (String operation : operations) {
        for (Object body : List.of("not json", Buffer.buffer("{\"persistenceId\":"), 17, true, new JsonArray(),
            "{}".getBytes(StandardCharsets.UTF_8))) {
          cases.add(new Malformed(operation, body, "request body must be a JSON object"));
        }
      }
      JsonObject append = validAppend();
      cases.addAll(fieldCases("events.append", append, "persistenceId", "expectedSequence", "events"));
      JsonObject event = append.getJsonArray("events").getJsonObject(0);
      for (String field : List.of("eventType", "metadata")) {
        for (Object wrong : wrongValuesFor(field)) {
          cases.add(new Malformed("events.append", withEvent(append, event.copy().put(field, wrong)),
              "events[0]." + field));
        }
        cases.add(new Malformed("events.append", withEvent(append, without(event, field)), "events[0]." + field));
      }
      cases.add(new Malformed("events.append", withEvent(append, without(event, "payload")), "events[0].payload"));
      JsonObject metadata = event.getJsonObject("metadata");
      for (String field : List.of("eventId", "causationId", "correlationId", "timestamp", "actorId")) {
        for (Object wrong : List.of(42, true, new JsonArray(), "not-a-" + field, "")) {
          if (field.equals("actorId") && wrong.toString().startsWith("not-a-")) {
            continue; // any non-empty string is an actor
          }
          cases.add(new Malformed("events.append", withEvent(append,
              event.copy().put("metadata", metadata.copy().put(field, wrong))), "events[0].metadata." + field));
        }
      }
      for (String id : List.of("", "onlyone", ":Order:o-1", "acme::o-1", "acme:Order:", "a:b:", ":",
          "x".repeat(2000), "acme:Or:der"  /* fine: colon in the id */)) {
        if (id.equals("acme:Or:der")) {
          continue;
        }
        cases.add(new Malformed("events.append", append.copy().put("persistenceId", id), "persistenceId"));
        cases.add(new Malformed("events.read", new JsonObject().put("persistenceId", id), "persistenceId"));
        cases.add(new Malformed("snapshots.load", new JsonObject().put("persistenceId", id), "persistenceId"));
      }
      cases.add(new Malformed("events.append", append.copy().put("expectedSequence", -3), "expectedSequence"));
      cases.add(new Malformed("events.append", append.copy().put("expectedSequence", 1.5), "expectedSequence"));
      cases.add(new Malformed("events.append", append.copy().put("events", new JsonArray().add(1)), "events[0]"));
      JsonObject batch = new JsonObject().put("appends", new JsonArray().add(append));
      cases.addAll(fieldCases("events.append-batch", batch, "appends"));
      cases.add(new Malformed("events.append-batch", new JsonObject().put("appends", new JsonArray().add("x")),
          "appends[0]"));
      cases.add(new Malformed("events.append-batch", new JsonObject().put("appends",
          new JsonArray().add(without(append, "expectedSequence"))), "appends[0].expectedSequence"));
      JsonObject read = new JsonObject().put("persistenceId", "acme:Order:o-1").put("fromSequence", 0).put("limit", 10);
      cases.addAll(fieldCases("events.read", read, "persistenceId", "fromSequence", "limit"));
      cases.add(new Malformed("events.read", read.copy().put("limit", 0), "limit"));
      cases.add(new Malformed("events.read", read.copy().put("limit", 100_000), "limit"));
      JsonObject list = new JsonObject().put("tenant", "acme").put("entityType", "Order").put("limit", 10)
          .put("after", new JsonObject().put("entityType", "Order").put("entityId", "o-1"));
      cases.addAll(fieldCases("events.list-entities", list, "tenant", "entityType", "limit", "after"));
      cases.add(new Malformed("events.list-entities", list.copy().put("tenant", "a:b"), "tenant"));
      cases.add(new Malformed("events.list-entities", list.copy().put("after", new JsonObject().put("entityType", 1)),
          "after.entityType"));
      JsonObject save = new JsonObject().put("persistenceId", "acme:Order:o-1").put("sequenceNr", 3)
          .put("state", "c3RhdGU=");
      cases.addAll(fieldCases("snapshots.save", save, "persistenceId", "sequenceNr", "state"));
      cases.add(new Malformed("snapshots.save", save.copy().put("state", "%%%not base64"), "state"));
      cases.addAll(fieldCases("snapshots.load", new JsonObject().put("persistenceId", "acme:Order:o-1"),
          "persistenceId"));
      return cases;
    }

    /** For each field: absent, and each wrong value (those that are wrong for it). */
    private static List<Malformed> fieldCases(String operation, JsonObject valid, String... fields) {
      List<Malformed> cases = new ArrayList<>();
      for (String field : fields) {
        boolean optional = List.of("fromSequence", "limit", "entityType", "after").contains(field);
        if (!optional) {
          cases.add(new Malformed(operation, without(valid, field), field));
        }
        for (Object wrong : wrongValuesFor(field)) {
          cases.add(new Malformed(operation, valid.copy().put(field, wrong), field));
        }
      }
      return cases;
    }

    private static List<Object> wrongValuesFor(String field) {
      return WRONG_VALUES.stream().filter(value -> !fits(field, value)).toList();
    }

    /** Whether {@code value} would be a valid value of {@code field} (then it is not a malformed case). */
    private static boolean fits(String field, Object value) {
      return switch (field) {
        case "expectedSequence", "fromSequence", "sequenceNr" -> value instanceof Integer i && i >= 0;
        case "limit" -> value instanceof Integer i && i >= 1 && i <= 1000;
        case "eventType", "entityType", "tenant" -> value instanceof String s && s.length() <= 256 && !s.isEmpty();
        case "events", "appends" -> value instanceof JsonArray array && array.isEmpty(); // nothing to append
        case "state" -> value instanceof String text && text.matches("([A-Za-z0-9+/]{4})*");
        case "metadata", "after" -> false; // an empty object lacks required fields: still malformed
        default -> false;
      };
    }

    private static JsonObject validAppend() {
      return new JsonObject().put("persistenceId", "acme:Order:o-1").put("expectedSequence", 0)
          .put("events", new JsonArray().add(EventJson.newEvent(events(1).get(0))));
    }

    private static JsonObject withEvent(JsonObject append, JsonObject event) {
      return append.copy().put("events", new JsonArray().add(event));
    }

    private static JsonObject without(JsonObject json, String field) {
      JsonObject copy = json.copy();
      copy.remove(field);
      return copy;
    }
  }

}
