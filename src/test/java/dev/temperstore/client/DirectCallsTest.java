package dev.temperstore.client;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.errors.StoreException;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.AppendResult;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.EventPage;
import dev.temperstore.events.EventStore;
import dev.temperstore.events.NewEvent;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TestKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static dev.temperstore.testing.Events.event;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A client on the store instance's own event loop appends and reads by direct calls: no message on the bus, the
 * caller's objects its own again once the call returns, its callbacks on its own context, and every request the bus
 * would refuse refused alike, with the same code and message, nothing of it written.
 */
class DirectCallsTest extends DatabaseTest {

  private static final PersistenceId ORDER = PersistenceId.parse("acme:Order:o-1");

  /** One event loop: the store's instance and every caller context share its thread. */
  private final Vertx loop = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** Requests to the event store's addresses that went over the bus, by address. */
  private final Map<String, Integer> busRequests = new ConcurrentHashMap<>();
  private StoreClient client;
  private Context caller;

  @BeforeEach
  void storeOnOneEventLoop() {
    loop.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner())
        .withSecrets(TestKeys.settings(Map.of(1, TestKeys.KEY_1), 1)), registry)).await();
    loop.eventBus().addOutboundInterceptor(delivery -> {
      String address = delivery.message().address();
      if (address.startsWith("temper.store.events.")) {
        busRequests.merge(address.replaceAll("@.*", ""), 1, Integer::sum);
      }
      delivery.next();
    });
    client = StoreClient.create(loop);
    caller = loop.getOrCreateContext();
  }

  @AfterEach
  void closeLoop() {
    loop.close().await();
  }

  @Test
  void appends_and_reads_on_the_instances_loop_are_served_without_a_message_and_answered_on_the_callers_context()
      throws Exception {
    List<Context> answeredOn = Collections.synchronizedList(new ArrayList<>());

    long sequence = onTheLoop(client -> client.append(ORDER, 0, events(2)).invoke(() ->
        answeredOn.add(Vertx.currentContext())));
    List<AppendResult> batch = onTheLoop(client -> client.appendBatch(List.of(
        new AppendRequest(ORDER, 2, events(1)),
        new AppendRequest(PersistenceId.parse("acme:Order:o-2"), 0, events(3)))).invoke(() ->
        answeredOn.add(Vertx.currentContext())));
    EventPage page = onTheLoop(client -> client.read(ORDER, 0, 10).invoke(() ->
        answeredOn.add(Vertx.currentContext())));

    assertThat(sequence).isEqualTo(2);
    assertThat(batch).extracting(AppendResult::sequenceNr).containsExactly(3L, 3L);
    assertThat(page.events()).extracting(event -> event.payload().toString())
        .containsExactly("{\"n\":1,\"note\":\"event 1\"}", "{\"n\":2,\"note\":\"event 2\"}",
            "{\"n\":1,\"note\":\"event 1\"}");
    assertThat(answeredOn).containsOnly(caller).hasSize(3);
    assertThat(busRequests).as("no request went over the bus").isEmpty();
    assertThat(database.admin().strings("SELECT entity_id || ':' || sequence_nr FROM events ORDER BY 1"))
        .containsExactly("o-1:1", "o-1:2", "o-1:3", "o-2:1", "o-2:2", "o-2:3");
    assertThat(registry.find("temper.store.requests").tag("address", "temper.store.events.append")
        .tag("outcome", "ok").timer().count()).isEqualTo(1);
    assertThat(registry.find("temper.store.requests").tag("address", "temper.store.events.read")
        .tag("outcome", "ok").timer().count()).isEqualTo(1);

    // off the loop, the same client speaks the bus as before
    assertThat(client.read(ORDER, 0, 10).await().atMost(Await.TIMEOUT).events()).hasSize(3);
    assertThat(busRequests).containsEntry("temper.store.events.read", 1);
  }

  @Test
  void a_payload_the_caller_changes_once_the_call_returned_is_stored_as_it_was_at_the_call() throws Exception {
    JsonObject payload = new JsonObject().put("note", "as called").put("items", new JsonArray().add("first"));
    NewEvent event = new NewEvent("Placed", payload, EventMetadata.root(UUID.randomUUID(), "actor"));

    assertThat(appendThenChange(event, () -> {
      payload.put("note", "changed after the call");
      payload.getJsonArray("items").add("second");
    })).isEqualTo(1);
    Row stored = database.admin().rows("SELECT payload::text AS payload FROM events").get(0);
    assertThat(new JsonObject(stored.getString("payload")))
        .isEqualTo(new JsonObject().put("note", "as called").put("items", new JsonArray().add("first")));
  }

  @Test
  void a_marked_payload_the_caller_changes_once_the_call_returned_is_sealed_as_it_was_at_the_call() throws Exception {
    JsonObject payload = new JsonObject().put("email", "as-called@example.com")
        .put("items", new JsonArray().add("first"));
    NewEvent event = new NewEvent("Placed", payload, EventMetadata.root(UUID.randomUUID(), "actor"))
        .markedPersonal(PersonalData.of("c-1", "/email"));

    assertThat(appendThenChange(event, () -> {
      payload.put("email", "changed@example.com");
      payload.getJsonArray("items").add("second");
    })).isEqualTo(1);
    assertThat(database.admin().strings("SELECT payload::text || metadata::text FROM events")).singleElement()
        .satisfies(stored -> assertThat(stored).doesNotContain("@example.com").contains("\"sealed\""));
    JsonObject read = (JsonObject) onTheLoop(client -> client.read(ORDER, 0, 10)).events().get(0).payload();
    assertThat(read).isEqualTo(new JsonObject().put("email", "as-called@example.com")
        .put("items", new JsonArray().add("first")));
  }

  @Test
  void every_append_the_bus_refuses_is_refused_alike_by_a_direct_call_and_nothing_is_written() throws Exception {
    JsonObject deep = new JsonObject();
    JsonObject inner = deep;
    for (int i = 0; i < 101; i++) {
      JsonObject next = new JsonObject();
      inner.put("d", next);
      inner = next;
    }
    Map<String, List<NewEvent>> cases = new java.util.LinkedHashMap<>();
    cases.put("NUL in the event type", List.of(typed("Pla\u0000ced", new JsonObject(), "actor")));
    cases.put("empty event type", List.of(typed("", new JsonObject(), "actor")));
    cases.put("event type too long", List.of(typed("T".repeat(257), new JsonObject(), "actor")));
    cases.put("reserved event type", List.of(typed("$deleted", new JsonObject(), "actor")));
    cases.put("NUL in the actor", List.of(typed("Placed", new JsonObject(), "user\u0000")));
    cases.put("empty actor", List.of(typed("Placed", new JsonObject(), "")));
    cases.put("NUL deep in the payload", List.of(event("Placed", 1), typed("Placed", new JsonObject()
        .put("items", new JsonArray().add(new JsonObject().put("l\tabel", "x\u0000"))), "actor")));
    cases.put("lone surrogate in a payload key", List.of(typed("Placed", new JsonObject().put("k\udc00", 1), "a")));
    cases.put("lone surrogate in a string payload", List.of(typed("Placed", "tail\ud800", "actor")));
    cases.put("not a finite number", List.of(typed("Placed", new JsonObject().put("x", Double.NaN), "actor")));
    cases.put("inexact decimal", List.of(typed("Placed",
        new JsonObject().put("x", new BigDecimal("0.1000000000000000000001")), "actor")));
    cases.put("nested too deep", List.of(typed("Placed", deep, "actor")));
    cases.put("personal field not in the payload", List.of(typed("Placed", new JsonObject(), "actor")
        .markedPersonal(PersonalData.of("customer-1", "/email"))));
    cases.put("too many events", events(1001));

    for (Map.Entry<String, List<NewEvent>> c : cases.entrySet()) {
      assertRefusedAlike(c.getKey(), client -> client.append(ORDER, 0, c.getValue()));
    }
    assertRefusedAlike("negative expected sequence", client -> client.append(ORDER, -1, events(1)));
    assertRefusedAlike("no room below the highest sequence",
        client -> client.append(ORDER, EventStore.HIGHEST_SEQUENCE, events(1)));
    assertRefusedAlike("one bad append of a batch", client -> client.appendBatch(List.of(
        new AppendRequest(ORDER, 0, events(1)),
        new AppendRequest(PersistenceId.parse("acme:Order:o-2"), 0,
            List.of(typed("Placed", new JsonObject().put("x", "\u0000"), "actor"))))));
    assertRefusedAlike("a read of no events", client -> client.read(ORDER, 0, 0));
    assertRefusedAlike("a read over the page limit", client -> client.read(ORDER, 0, 1001));
    assertRefusedAlike("a read from before the first event", client -> client.read(ORDER, -1, 10));

    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void a_payload_of_a_type_json_has_not_is_a_400_naming_it() {
    StoreException refused = directFailure(client -> client.append(ORDER, 0,
        List.of(typed("Placed", new JsonObject().put("when", UUID.randomUUID()), "actor"))));

    assertThat(refused.code()).isEqualTo(400);
    assertThat(refused.getMessage()).isEqualTo("events[0].payload.when must be JSON (an object, array, string, number,"
        + " boolean or null), got a UUID");
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void a_char_sequence_in_a_payload_is_stored_as_its_text_on_a_direct_call_as_over_the_bus() throws Exception {
    StringBuilder when = new StringBuilder("now");
    long direct = onTheLoop(client -> client.append(ORDER, 0,
        List.of(typed("Placed", new JsonObject().put("when", when), "actor"))));
    when.append(" and later"); // changed once the call returned: not what was stored
    long overTheBus = client.append(PersistenceId.parse("acme:Order:o-2"), 0,
        List.of(typed("Placed", new JsonObject().put("when", new StringBuilder("now")), "actor")))
        .await().atMost(Await.TIMEOUT);

    assertThat(direct).isEqualTo(overTheBus).isEqualTo(1);
    assertThat(database.admin().strings("SELECT payload::text FROM events ORDER BY entity_id"))
        .containsExactly("{\"when\": \"now\"}", "{\"when\": \"now\"}");
  }

  private void assertRefusedAlike(String name, Function<StoreClient, Uni<?>> call) {
    StoreException direct = directFailure(call);
    StoreException overTheBus;
    try {
      call.apply(client).await().atMost(Await.TIMEOUT);
      fail(name + ": accepted over the bus");
      return;
    } catch (StoreException e) {
      overTheBus = e;
    }
    assertThat(direct.code()).as(name).isEqualTo(overTheBus.code()).isBetween(400, 499);
    assertThat(direct.getMessage()).as(name).isEqualTo(overTheBus.getMessage());
  }

  private StoreException directFailure(Function<StoreClient, Uni<?>> call) {
    int before = busRequests.values().stream().mapToInt(Integer::intValue).sum();
    try {
      onTheLoop(client -> call.apply(client).replaceWithVoid());
    } catch (ExecutionException e) {
      assertThat(busRequests.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(before);
      assertThat(e.getCause()).isInstanceOf(StoreException.class);
      return (StoreException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("accepted by a direct call");
  }

  /** {@code event} appended to {@code ORDER} on the store's event loop; {@code change} runs once the call returned. */
  private long appendThenChange(NewEvent event, Runnable change) throws Exception {
    CompletableFuture<Long> appended = new CompletableFuture<>();
    caller.runOnContext(ignored -> {
      client.append(ORDER, 0, List.of(event)).subscribe().with(appended::complete, appended::completeExceptionally);
      change.run();
    });
    return appended.get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** {@code call}'s outcome, the call made on the caller's context on the store's event loop. */
  private <T> T onTheLoop(Function<StoreClient, Uni<T>> call) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    caller.runOnContext(ignored -> call.apply(client).subscribe().with(result::complete,
        result::completeExceptionally));
    return result.get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static NewEvent typed(String type, Object payload, String actor) {
    UUID id = UUID.randomUUID();
    return new NewEvent(type, payload, new EventMetadata(id, id, id, Instant.parse("2026-12-07T10:00:00Z"), actor));
  }
}
