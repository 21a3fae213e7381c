package dev.temperstore.fuzz;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.fuzz.HostileRequests.Hostile;
import dev.temperstore.fuzz.HostileRequests.ValueClass;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TestKeys;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded, seeded run of hostile requests over every address (see {@link HostileRequests}), beside a steady
 * well-formed workload of another tenant. It asserts no 500 and no hang, that no reply shows the victims' data,
 * that the victims' rows are unchanged, and that every steady append succeeded and is in the database. The seed
 * and the number of requests are {@code -Dtemper.fuzz.seed} and {@code -Dtemper.fuzz.requests}; the outcome by
 * class is printed for docs/security.md.
 */
class HostileRequestsFuzzTest extends DatabaseTest {

  private static final long SEED = Long.getLong("temper.fuzz.seed", 20261201L);
  private static final int REQUESTS = Integer.getInteger("temper.fuzz.requests", 3000);
  private static final int CONCURRENCY = 16;
  private static final String VICTIM_MARKER = "VICTIM-ONLY";
  private static final DeliveryOptions WITHIN = new DeliveryOptions().setSendTimeout(20_000);

  @Test
  void hostile_requests_get_4xx_never_500_or_a_hang_and_leave_other_tenants_untouched() {
    SecretSettings secrets = new SecretSettings(TestKeys.ring(Map.of(1, TestKeys.KEY_1), 1), 100, 8192, 10);
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withSecrets(secrets))).await();
    for (String victim : List.of("victim", "victim?")) {
      request("temper.store.events.append", append(victim + ":Order:v-1", 0));
      request("temper.store.snapshots.save", new JsonObject().put("persistenceId", victim + ":Order:v-1")
          .put("sequenceNr", 1).put("state", "VklDVElNLU9OTFk=")); // base64 of the marker
      request("temper.store.secrets.put", new JsonObject().put("tenant", victim).put("keyName", "api")
          .put("value", VICTIM_MARKER));
    }
    String victimsBefore = victimRows();

    AtomicBoolean fuzzing = new AtomicBoolean(true);
    Future<Integer> steady = steadyWorkload(fuzzing);
    Map<ValueClass, Map<String, Integer>> outcomes = new EnumMap<>(ValueClass.class);
    List<String> problems = new ArrayList<>();
    HostileRequests generator = new HostileRequests(SEED);
    for (int sent = 0; sent < REQUESTS; sent += CONCURRENCY) {
      List<Hostile> wave = new ArrayList<>();
      List<Future<Message<Object>>> replies = new ArrayList<>();
      for (int i = 0; i < CONCURRENCY && sent + i < REQUESTS; i++) {
        Hostile hostile = generator.next();
        wave.add(hostile);
        replies.add(vertx.eventBus().request(hostile.address(), hostile.body(), WITHIN));
      }
      Future.join(replies).otherwiseEmpty().await();
      for (int i = 0; i < wave.size(); i++) {
        String outcome = judge(wave.get(i), replies.get(i), problems);
        outcomes.computeIfAbsent(wave.get(i).valueClass(), c -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
      }
    }
    fuzzing.set(false);
    int steadyAppends = steady.await();

    System.out.println("hostile requests by class and outcome (seed " + SEED + "): " + outcomes);
    assertThat(problems).isEmpty();
    assertThat(victimRows()).isEqualTo(victimsBefore);
    assertThat(steadyAppends).isPositive();
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'steady'")).isEqualTo(steadyAppends);
  }

  /** The outcome's name ("ok" or the failure code); a 500, a timeout or a victim's data in a reply is a problem. */
  private static String judge(Hostile hostile, Future<Message<Object>> reply, List<String> problems) {
    String what = hostile.address() + " " + hostile.valueClass() + " at " + hostile.field();
    if (reply.succeeded()) {
      String body = String.valueOf(reply.result().body());
      if (body.contains(VICTIM_MARKER) || body.contains("VklDVElNLU9OTFk=")) {
        problems.add(what + " showed another tenant's data: " + body);
      }
      return "ok";
    }
    if (!(reply.cause() instanceof ReplyException failure) || failure.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      problems.add(what + " got no answer: " + reply.cause());
      return "no answer";
    }
    if (failure.failureCode() >= 500) {
      problems.add(what + " got " + failure.failureCode() + ": " + failure.getMessage());
    }
    return Integer.toString(failure.failureCode());
  }

  /** Appends of tenant "steady", one stream per client, until the fuzzing ends; fails on any failed append. */
  private Future<Integer> steadyWorkload(AtomicBoolean running) {
    List<Future<Integer>> clients = new ArrayList<>();
    for (int client = 0; client < 4; client++) {
      clients.add(steadyClient("steady:Order:s-" + client, 0, running));
    }
    return Future.all(clients).map(all -> clients.stream().mapToInt(Future::result).sum());
  }

  private Future<Integer> steadyClient(String stream, int written, AtomicBoolean running) {
    if (!running.get()) {
      return Future.succeededFuture(written);
    }
    return vertx.eventBus().request("temper.store.events.append", append(stream, written), WITHIN)
        .compose(reply -> steadyClient(stream, written + 1, running));
  }

  private String victimRows() {
    return database.admin().strings("SELECT concat_ws('|', tenant, entity_id, sequence_nr, payload::text) FROM events"
            + " WHERE tenant LIKE 'victim%' ORDER BY 1") + " "
        + database.admin().strings("SELECT concat_ws('|', tenant, sequence_nr, encode(state, 'base64'))"
            + " FROM snapshots WHERE tenant LIKE 'victim%' ORDER BY 1") + " "
        + database.admin().strings("SELECT concat_ws('|', tenant, key_name, encode(ciphertext, 'base64'), encode(nonce, 'base64'))"
            + " FROM tenant_secrets WHERE tenant LIKE 'victim%' ORDER BY 1");
  }

  private static JsonObject append(String persistenceId, long expected) {
    return new JsonObject().put("persistenceId", persistenceId).put("expectedSequence", expected)
        .put("events", new JsonArray().add(new JsonObject().put("eventType", "Placed")
            .put("payload", new JsonObject().put("mark", persistenceId.startsWith("victim") ? VICTIM_MARKER : "none"))
            .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "a"))));
  }

  private static void request(String address, JsonObject body) {
    vertx.eventBus().request(address, body, WITHIN).await();
  }
}
