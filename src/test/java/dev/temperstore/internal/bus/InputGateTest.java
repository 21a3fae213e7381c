package dev.temperstore.internal.bus;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.FeedHorizon;
import dev.temperstore.testing.TestKeys;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The input gate over the bus: strings PostgreSQL would store as something else, ids that would not fit their
 * indexes, numbers that would come back changed, and non-canonical ids are each a 400 naming the field, and
 * nothing of them reaches the database.
 */
class InputGateTest extends DatabaseTest {

  private static final String LONE_HIGH = "\ud800";
  private static final String NUL = "\u0000";
  private static final String CJK = "\u4e2d"; // 3 bytes in UTF-8

  @BeforeEach
  void storeDeployed() {
    SecretSettings secrets = new SecretSettings(TestKeys.ring(Map.of(1, TestKeys.KEY_1), 1), 100, 8192, 10);
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withSecrets(secrets))).await();
  }

  @Test
  void a_nul_or_a_lone_surrogate_anywhere_in_an_append_is_a_400_naming_the_field_and_nothing_is_written() {
    List<Object[]> cases = List.of(
        new Object[] {append("acme:Order:o" + NUL, event("Placed", new JsonObject())), "persistenceId"},
        new Object[] {append("victim" + LONE_HIGH + ":Order:o", event("Placed", new JsonObject())), "persistenceId"},
        new Object[] {append("acme:Ord" + LONE_HIGH + "er:o", event("Placed", new JsonObject())), "persistenceId"},
        new Object[] {append("acme:Order:o", event("Pla" + NUL + "ced", new JsonObject())), "events[0].eventType"},
        new Object[] {append("acme:Order:o", event("Placed", new JsonObject().put("note", "a" + NUL))),
            "events[0].payload.note"},
        new Object[] {append("acme:Order:o", event("Placed", new JsonObject().put("k" + NUL, 1))),
            "events[0].payload has a key"},
        new Object[] {append("acme:Order:o", event("Placed", new JsonObject().put("list",
            new JsonArray().add(1).add("x" + "\udc00")))), "events[0].payload.list[1]"},
        new Object[] {append("acme:Order:o", event("Placed", new JsonObject().put("items", new JsonArray()
            .add(new JsonObject().put("name", "ok")).add(new JsonObject().put("tags", new JsonArray()
                .add(new JsonObject().put("l\tabel", "x" + NUL))))))),
            "events[0].payload.items[1].tags[0].l\\u0009abel contains a NUL"},
        new Object[] {append("acme:Order:o", event("Placed", "tail" + LONE_HIGH)), "events[0].payload"},
        new Object[] {append("acme:Order:o", withActor(event("Placed", new JsonObject()), "user" + NUL)),
            "events[0].metadata.actorId"});
    for (Object[] c : cases) {
      ReplyException failure = failure("temper.store.events.append", c[0]);
      assertThat(failure.failureCode()).as(String.valueOf(c[1])).isEqualTo(400);
      assertThat(message(failure)).as(String.valueOf(c[1])).contains((String) c[1]);
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void a_tenant_with_a_lone_surrogate_never_reaches_the_tenant_it_would_have_been_stored_as() {
    request("temper.store.secrets.put", new JsonObject().put("tenant", "victim?").put("keyName", "api")
        .put("value", "the-victims-secret"));

    for (String operation : List.of("get", "put", "delete", "list", "rotate")) {
      JsonObject body = new JsonObject().put("tenant", "victim" + LONE_HIGH).put("keyName", "api")
          .put("value", "attacker");
      ReplyException failure = failure("temper.store.secrets." + operation, body);
      assertThat(failure.failureCode()).as(operation).isEqualTo(400);
      assertThat(message(failure)).as(operation).contains("tenant").contains("unpaired UTF-16 surrogate")
          .doesNotContain("the-victims-secret");
    }
    ReplyException listing = failure("temper.store.events.list-entities",
        new JsonObject().put("tenant", "victim" + LONE_HIGH));
    assertThat(listing.failureCode()).isEqualTo(400);
    assertThat(database.admin().strings("SELECT tenant FROM tenant_secrets")).containsExactly("victim?");
    assertThat(request("temper.store.secrets.get", new JsonObject().put("tenant", "victim?").put("keyName", "api"))
        .getString("value")).isEqualTo("the-victims-secret");
  }

  @Test
  void a_secret_value_with_a_nul_or_a_lone_surrogate_is_refused_without_being_shown() {
    for (String value : List.of("secret" + NUL + "tail", "secret" + LONE_HIGH)) {
      ReplyException failure = failure("temper.store.secrets.put", new JsonObject().put("tenant", "acme")
          .put("keyName", "api").put("value", value));
      assertThat(failure.failureCode()).isEqualTo(400);
      assertThat(message(failure)).contains("value").doesNotContain("secret");
    }
    assertThat(database.admin().count("SELECT count(*) FROM tenant_secrets")).isZero();
  }

  @Test
  void multi_byte_persistence_ids_are_bounded_in_utf8_bytes_so_every_accepted_one_fits_its_indexes() {
    String prefix = "acme:Order:";
    String fits = prefix + CJK.repeat((1024 - prefix.length()) / 3);
    String over = prefix + CJK.repeat(950);

    assertThat(request("temper.store.events.append", append(fits, event("Placed", new JsonObject())))
        .getLong("sequenceNr")).isEqualTo(1);
    request("temper.store.snapshots.save", new JsonObject().put("persistenceId", fits).put("sequenceNr", 1)
        .put("state", "c3RhdGU="));
    ReplyException refused = failure("temper.store.events.append", append(over, event("Placed", new JsonObject())));
    ReplyException refusedSnapshot = failure("temper.store.snapshots.save", new JsonObject()
        .put("persistenceId", over).put("sequenceNr", 1).put("state", "c3RhdGU="));

    assertThat(refused.failureCode()).isEqualTo(400);
    assertThat(message(refused)).contains("persistenceId").contains("1024 UTF-8 bytes");
    assertThat(refusedSnapshot.failureCode()).isEqualTo(400);
    assertThat(database.admin().strings("SELECT entity_id FROM events"))
        .containsExactly(fits.substring(prefix.length()));
    assertThat(database.admin().count("SELECT count(*) FROM snapshots")).isEqualTo(1);
  }

  @Test
  void numbers_that_would_be_stored_as_another_value_are_refused_and_exact_ones_come_back_unchanged() {
    List<Object> changed = List.of(Double.POSITIVE_INFINITY, Double.NaN, new BigDecimal("1e400"),
        new BigDecimal("1.00000000000000000001"), BigInteger.TEN.pow(1001));
    for (Object number : changed) {
      ReplyException failure = failure("temper.store.events.append",
          append("acme:Order:n", event("Placed", new JsonObject().put("amount", number))));
      assertThat(failure.failureCode()).as(String.valueOf(number)).isEqualTo(400);
      assertThat(message(failure)).contains("events[0].payload.amount");
    }
    JsonObject exact = new JsonObject().put("long", Long.MAX_VALUE).put("double", 0.1).put("negative", -1.5e-300)
        .put("big", new BigInteger("123456789012345678901234567890"));
    request("temper.store.events.append", append("acme:Order:n", event("Placed", exact)));

    JsonObject payload = request("temper.store.events.read", new JsonObject().put("persistenceId", "acme:Order:n"))
        .getJsonArray("events").getJsonObject(0).getJsonObject("payload");
    for (String key : exact.fieldNames()) { // jsonb keeps its own key order; each value must be unchanged
      assertThat(String.valueOf(payload.getValue(key))).as(key).isEqualTo(String.valueOf(exact.getValue(key)));
    }
  }

  @Test
  void event_ids_must_be_canonical_uuids_and_sequences_must_leave_room_for_the_events() {
    for (String id : List.of("1-1-1-1-1", "0F8FAD5B-D9CB-469F-A165-70867728950E", "{0f8fad5b-d9cb-469f-a165-70867728950e}",
        "0f8fad5bd9cb469fa16570867728950e", "0f8fad5b-d9cb-469f-a165-70867728950g", "0f8fad5b-d9cb-469f-a16570867728950e-",
        "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5b-d9cb-469f-a165-70867728950e0", "0f8fad5b-d9cB-469f-a165-70867728950e",
        "0f8fad5b_d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950\u00e9",
        "0f8fad5b-d9cb-469f-a165-70867728950\u0000", "0f8fad5b-d9cb-469f-a165-70867728950\ud800")) {
      JsonObject event = event("Placed", new JsonObject());
      event.getJsonObject("metadata").put("eventId", id);
      ReplyException failure = failure("temper.store.events.append", append("acme:Order:u", event));
      assertThat(failure.failureCode()).as(id).isEqualTo(400);
      assertThat(message(failure)).contains("events[0].metadata.eventId").contains("canonical");
    }
    JsonObject late = append("acme:Order:u", event("Placed", new JsonObject())).put("expectedSequence", Long.MAX_VALUE);
    ReplyException overflow = failure("temper.store.events.append", late);

    assertThat(overflow.failureCode()).isEqualTo(400);
    assertThat(message(overflow)).contains("expectedSequence");
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void nesting_beyond_the_limit_is_a_400_and_the_limit_itself_is_stored() {
    JsonArray deepest = new JsonArray();
    JsonArray inner = deepest;
    for (int i = 1; i < 100; i++) {
      JsonArray next = new JsonArray();
      inner.add(next);
      inner = next;
    }
    request("temper.store.events.append", append("acme:Order:d", event("Placed", deepest)));
    inner.add(new JsonArray());

    ReplyException failure = failure("temper.store.events.append", append("acme:Order:d2", event("Placed", deepest)));

    assertThat(failure.failureCode()).isEqualTo(400);
    assertThat(message(failure)).contains("nested more than 100 levels");
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(1);
  }

  @Test
  void bad_appends_of_one_tenant_never_fail_the_concurrent_appends_of_another() {
    List<Future<?>> good = new ArrayList<>();
    List<Future<?>> bad = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      bad.add(vertx.eventBus().request("temper.store.events.append",
          append("evil:Order:o-" + i, event("Placed", new JsonObject().put("x", "a" + NUL)))));
      good.add(vertx.eventBus().request("temper.store.events.append",
          append("acme:Order:o-" + i, event("Placed", new JsonObject().put("i", i)))));
    }
    Future.join(new ArrayList<>(good) {{ addAll(bad); }}).otherwiseEmpty().await();

    assertThat(good).allMatch(Future::succeeded);
    assertThat(bad).allMatch(f -> f.failed() && ((ReplyException) f.cause()).failureCode() == 400);
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'acme'")).isEqualTo(200);
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'evil'")).isZero();
  }

  @Test
  void a_hostile_long_feed_read_is_a_400_and_reads_beside_it_see_their_own_tenant_only() {
    request("temper.store.events.append", append("acme:Order:o-1", event("Placed", new JsonObject())));
    FeedHorizon.awaitPastEveryEvent(database);
    // limit 1000: the streamed form of a page (PgFeed.STREAMED_FROM), which reads these fields in SQL of its own
    List<Object[]> cases = List.of(
        new Object[] {readAll("acme" + NUL), "tenant"},
        new Object[] {readAll("acme" + LONE_HIGH), "tenant"},
        new Object[] {readAll("acme").put("entityTypes", new JsonArray().add("Ord" + LONE_HIGH)), "entityTypes[0]"},
        new Object[] {readAll("acme").put("eventTypes", new JsonArray().add("Pla" + NUL + "ced")), "eventTypes[0]"},
        new Object[] {readAll("acme").put("entityTypes", new JsonArray().add(CJK.repeat(1025))), "entityTypes[0]"},
        new Object[] {readAll("acme").put("limit", 1L << 40), "limit"});
    for (Object[] c : cases) {
      ReplyException failure = failure("temper.store.events.read-all", c[0]);
      assertThat(failure.failureCode()).as(String.valueOf(c[1])).isEqualTo(400);
      assertThat(message(failure)).as(String.valueOf(c[1])).contains((String) c[1]);
    }

    JsonObject atTheLimit = request("temper.store.events.read-all",
        readAll("acme").put("entityTypes", new JsonArray().add(CJK.repeat(1024))));
    JsonObject acme = request("temper.store.events.read-all", readAll("acme"));
    JsonObject other = request("temper.store.events.read-all", readAll("acme" + CJK));
    assertThat(atTheLimit.getJsonArray("events")).isEmpty();
    assertThat(acme.getJsonArray("events")).hasSize(1);
    assertThat(other.getJsonArray("events")).isEmpty();
  }

  private static JsonObject readAll(String tenant) {
    return new JsonObject().put("tenant", tenant).put("limit", 1000);
  }

  private static JsonObject append(String persistenceId, JsonObject event) {
    return new JsonObject().put("persistenceId", persistenceId).put("expectedSequence", 0)
        .put("events", new JsonArray().add(event));
  }

  private static JsonObject event(String type, Object payload) {
    return new JsonObject().put("eventType", type).put("payload", payload)
        .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "user-7"));
  }

  private static JsonObject withActor(JsonObject event, String actor) {
    event.getJsonObject("metadata").put("actorId", actor);
    return event;
  }

  private static String message(ReplyException failure) {
    return new JsonObject(failure.getMessage()).getString("message");
  }

  private static JsonObject request(String address, Object body) {
    return vertx.eventBus().<JsonObject>request(address, body).await().body();
  }

  private static ReplyException failure(String address, Object body) {
    try {
      vertx.eventBus().request(address, body).await();
    } catch (ReplyException e) {
      return e;
    }
    throw new AssertionError("expected a failure from " + address + " for " + body);
  }
}
