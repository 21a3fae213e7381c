package dev.temperstore.service.bridge;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Eventually;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.Ports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.temperstore.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Revoked bridge tokens, against the real store and database, on two bridges with lists of their own (as two store
 * processes have): refused on connections that verified them and on new ones, on the bridge that revoked at once
 * and on the other when the notification reaches it (its periodic read is set to a minute, so only the
 * notification can), their delivery registrations ended; revocations by subject, expiry of the list's entries,
 * and the operator's bus operation with hostile values.
 */
class TcpBridgeRevocationTest extends DatabaseTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long";
  private static final String APPEND = "temper.store.events.append";
  private static final String REVOKE = "temper.store." + TokenRevocations.OPERATION;
  private static final String CREATE = "temper.store.subscriptions.create";
  private static final String ORDERS = "temper.bridge.delivery.acme.orders";
  private static final Duration MAX_LIFETIME = Duration.ofHours(1);
  private static final Duration REFRESH = Duration.ofMinutes(1);

  private BridgeAuth signer;
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private TokenRevocations here;
  private TokenRevocations there;
  private Pool herePool;
  private Pool therePool;
  private NetServer bridgeHere;
  private NetServer bridgeThere;
  private int portHere;
  private int portThere;

  @BeforeEach
  void storeAndTwoBridges() {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withSubscriptions(
        SubscriptionSettings.defaults().withIntervals(Duration.ofMillis(200), Duration.ofMillis(300),
            Duration.ofMillis(100))))).await();
    signer = BridgeAuth.create(vertx, Optional.of(SECRET), Optional.empty(), "RS256", Optional.empty(),
        Optional.empty(), MAX_LIFETIME);
    herePool = database.asOwner().pool(vertx, 2);
    therePool = database.asOwner().pool(vertx, 2);
    here = new TokenRevocations(vertx, herePool, database.asOwner(), REFRESH, MAX_LIFETIME);
    there = new TokenRevocations(vertx, therePool, database.asOwner(), REFRESH, MAX_LIFETIME);
    here.start().await();
    there.start().await();
    here.serve(REVOKE);
    portHere = Ports.free();
    portThere = Ports.free();
    bridgeHere = TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(portHere)
        .withAuth(signer.withRevocations(here, metrics))).await();
    bridgeThere = TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(portThere)
        .withAuth(signer.withRevocations(there, new SimpleMeterRegistry()))).await();
  }

  @AfterEach
  void closeBridges() {
    bridgeHere.close().await();
    bridgeThere.close().await();
    here.close().await();
    there.close().await();
    herePool.close().await();
    therePool.close().await();
  }

  @Test
  void a_revoked_jti_is_refused_at_once_where_it_was_revoked_and_on_the_other_bridge_when_notified() throws Exception {
    String token = writer("billing");
    String sibling = writer("billing");
    try (WireClient onHere = new WireClient(portHere); WireClient onThere = new WireClient(portThere)) {
      assertThat(onHere.request(APPEND, append("acme:Order:o-1", 0), token).getString("type")).isEqualTo("message");
      assertThat(onThere.request(APPEND, append("acme:Order:o-2", 0), token).getString("type")).isEqualTo("message");

      TokenRevocations.Outcome outcome = here.revoke(revocationOf(jti(token)), "test").await();

      assertThat(outcome.revoked()).isTrue();
      revokedReply(onHere.request(APPEND, append("acme:Order:o-1", 1), token));
      // probes that would conflict (409) if let through: nothing is written either way
      Eventually.eventually(Await.TIMEOUT, "the other bridge refuses it",
          () -> failureCode(onThere, append("acme:Order:o-2", 99), token) == 401);
      assertThat(onHere.request(APPEND, append("acme:Order:o-3", 0), sibling).getString("type"))
          .as("another token of the subject").isEqualTo("message");
    }
    try (WireClient fresh = new WireClient(portHere)) {
      revokedReply(fresh.request(APPEND, append("acme:Order:o-1", 1), token));
    }
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE entity_id IN ('o-1', 'o-2')"))
        .as("nothing written with the revoked token").isEqualTo(2);
    assertThat(database.admin().strings("SELECT jti || ' ' || actor || ' '"
        + " || (expires_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes')"
        + " FROM temper_store_token_revocations")).containsExactly(jti(token) + " test true");
    assertThat(here.revoke(revocationOf(jti(token)), "test").await().revoked()).as("a repeat").isFalse();
    assertThat(metrics.get("temper.bridge.refusals").tag("reason", "revoked").counter().count()).isEqualTo(2);
  }

  @Test
  void a_subject_revoked_while_its_subscription_delivers_has_its_registration_ended_and_deliveries_stop()
      throws Exception {
    StoreClient store = StoreClient.create(vertx);
    String subscriber = signer.issue("projector", List.of("acme"), Set.of(Permission.READ, Permission.SUBSCRIBE),
        Duration.ofMinutes(5));
    try (SubscriberClient client = new SubscriberClient(portThere, subscriber)) {
      client.register(ORDERS);
      client.request(CREATE, new JsonObject().put("tenant", "acme").put("name", "orders").put("address", ORDERS));
      await(store.append(PersistenceId.parse("acme:Order:o-1"), 0, Events.events(1)));
      client.ack(client.nextDelivery());

      here.revoke(Revocation.of(Optional.empty(), Optional.of("projector"), Optional.empty(), Optional.of("left"),
          Instant.now().plusSeconds(1), MAX_LIFETIME), "test").await();
      Eventually.eventually(Await.TIMEOUT, "the other bridge holds the revocation",
          () -> there.size() == 1);
      await(store.append(PersistenceId.parse("acme:Order:o-1"), 1, Events.events(1)));

      assertThat(client.nextFrame()).isEqualTo(new JsonObject().put("type", "err").put("failureCode", 401)
          .put("message", "unauthorized: the token " + ORDERS + " was registered with has been revoked; it is"
              + " unregistered (register it again with a fresh token)").put("sourceAddress", ORDERS));
      assertThat(client.deliveriesUntilPong()).isEmpty();
    }
    Eventually.eventually(Await.TIMEOUT, "the checkpoint after the first event, never past the second",
        () -> database.admin().count("SELECT count(*) FROM temper_store_subscriptions WHERE name = 'orders'"
            + " AND checkpoint_id = (SELECT min(id) FROM events)") == 1);
  }

  @Test
  void a_subjects_revocation_covers_tokens_issued_before_it_only_and_expired_revocations_leave_the_list()
      throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String before = signed(new JsonObject().put("sub", "svc").put("iat", now - 20).put("exp", now + 600));
    String after = signed(new JsonObject().put("sub", "svc").put("iat", now - 5).put("exp", now + 600));
    String withoutIat = signed(new JsonObject().put("sub", "svc").put("exp", now + 600));
    here.revoke(Revocation.of(Optional.empty(), Optional.of("svc"), Optional.of(Instant.ofEpochSecond(now - 10)),
        Optional.empty(), Instant.now(), MAX_LIFETIME), "test").await();

    try (WireClient client = new WireClient(portHere)) {
      revokedReply(client.request(APPEND, append("acme:Order:o-1", 0), before));
      revokedReply(client.request(APPEND, append("acme:Order:o-1", 0), withoutIat));
      assertThat(client.request(APPEND, append("acme:Order:o-1", 0), after).getString("type")).isEqualTo("message");
    }

    database.admin().execute("UPDATE temper_store_token_revocations SET expires_at = now() - interval '1 second'");
    here.reload().await();
    assertThat(here.size()).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_token_revocations"))
        .as("removed once every token it names has expired").isZero();
    try (WireClient client = new WireClient(portHere)) {
      assertThat(client.request(APPEND, append("acme:Order:o-2", 0), before).getString("type")).isEqualTo("message");
    }
  }

  @Test
  void the_revoke_operation_over_the_bridge_needs_an_operator_token_of_every_tenant() throws Exception {
    String operator = signer.issue("ops", List.of("*"), Set.of(Permission.OPERATOR), Duration.ofMinutes(5));
    String confined = signer.issue("ops", List.of("acme"), Set.of(Permission.OPERATOR), Duration.ofMinutes(5));
    String victim = writer("victim");
    try (WireClient client = new WireClient(portHere)) {
      JsonObject refused = client.request(REVOKE, new JsonObject().put("jti", jti(victim)), confined);
      JsonObject reply = client.request(REVOKE, new JsonObject().put("jti", jti(victim)).put("reason", "leaked"),
          operator);

      assertThat(refused.getInteger("failureCode")).isEqualTo(403);
      assertThat(reply.getJsonObject("body").getBoolean("revoked")).isTrue();
      revokedReply(client.request(APPEND, append("acme:Order:o-1", 0), victim));
    }
    assertThat(database.admin().strings("SELECT actor || ' / ' || reason FROM temper_store_token_revocations"))
        .singleElement().asString().contains("token subject \"ops\"").endsWith(" / leaked");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{}",
      "{\"jti\": \"a\", \"subject\": \"b\"}",
      "{\"jti\": 42}",
      "{\"jti\": \"\"}",
      "{\"jti\": \"x\\u0000y\"}",
      "{\"subject\": \"svc\", \"issuedBefore\": \"2999-01-01T00:00:00Z\"}",
      "{\"subject\": \"svc\", \"issuedBefore\": \"yesterday\"}",
      "{\"jti\": \"a\", \"issuedBefore\": \"2020-01-01T00:00:00Z\"}",
      "{\"jti\": \"a\", \"reason\": 42}"})
  void a_hostile_revocation_is_a_400_and_revokes_nothing(String body) throws Exception {
    String operator = signer.issue("ops", List.of("*"), Set.of(Permission.OPERATOR), Duration.ofMinutes(5));
    try (WireClient client = new WireClient(portHere)) {
      JsonObject reply = client.request(REVOKE, new JsonObject(body), operator);
      assertThat(reply.getInteger("failureCode")).as(reply.encode()).isEqualTo(400);
      String tooLong = "j".repeat(Grant.MAX_ID_LENGTH + 1);
      assertThat(client.request(REVOKE, new JsonObject().put("jti", tooLong), operator).getInteger("failureCode"))
          .isEqualTo(400);
    }
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_token_revocations")).isZero();
  }

  @Test
  void on_the_bus_a_lone_surrogate_or_a_reason_too_long_is_a_400_and_revokes_nothing() {
    for (JsonObject body : List.of(new JsonObject().put("subject", "svc\ud800"),
        new JsonObject().put("jti", "a").put("reason", "r".repeat(Revocation.MAX_REASON_LENGTH + 1)),
        new JsonObject().put("jti", "a").put("actor", 7))) {
      assertThatThrownBy(() -> vertx.eventBus().request(REVOKE, body).await())
          .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
    }
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_token_revocations")).isZero();
  }

  @Test
  void a_refresh_below_100_ms_is_refused_naming_the_key() {
    assertThatThrownBy(() -> new TokenRevocations(vertx, herePool, database.asOwner(), Duration.ZERO, MAX_LIFETIME))
        .hasMessage("temper.bridge.auth.revocation-refresh must be at least 100ms, got PT0S");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"jti\": 42}", "{\"jti\": \"\"}", "{\"jti\": [\"a\"]}", "{\"sub\": {\"a\": 1}}",
      "{\"sub\": \"LONG\"}"})
  void a_token_with_a_jti_or_sub_of_another_shape_is_a_401(String claims) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    JsonObject shaped = new JsonObject(claims.replace("LONG", "s".repeat(300))).put("exp", now + 60);
    try (WireClient client = new WireClient(portHere)) {
      JsonObject reply = client.request(APPEND, append("acme:Order:o-1", 0), signed(shaped));
      assertThat(reply.getInteger("failureCode")).isEqualTo(401);
      assertThat(reply.getString("message")).matches("unauthorized: the token's (jti|sub) claim must be a string of 1"
          + " to 256 characters");
    }
  }

  private static int failureCode(WireClient client, JsonObject body, String token) {
    try {
      return client.request(APPEND, body, token).getInteger("failureCode", 0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void revokedReply(JsonObject reply) {
    assertThat(reply.getInteger("failureCode")).as(reply.encode()).isEqualTo(401);
    assertThat(reply.getString("message")).isEqualTo("unauthorized: the token has been revoked");
  }

  private Revocation revocationOf(String jti) {
    return Revocation.of(Optional.of(jti), Optional.empty(), Optional.empty(), Optional.empty(), Instant.now(),
        MAX_LIFETIME);
  }

  private String writer(String subject) {
    return signer.issue(subject, List.of("acme"), Set.of(Permission.WRITE), Duration.ofMinutes(5));
  }

  /** A token of these claims plus a grant to write tenant acme, signed with the bridge's secret. */
  private String signed(JsonObject claims) {
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
        .setBuffer(SECRET)));
    return jwt.generateToken(claims.copy().put("tenants", new JsonArray().add("acme"))
        .put("permissions", new JsonArray().add("write")), new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
  }

  private static String jti(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
        .getString("jti");
  }

  private static JsonObject append(String persistenceId, long expected) {
    return new JsonObject().put("persistenceId", persistenceId).put("expectedSequence", expected)
        .put("events", new JsonArray().add(new JsonObject().put("eventType", "E").put("payload", new JsonObject())
            .put("metadata", new JsonObject().put("eventId", java.util.UUID.randomUUID().toString())
                .put("actorId", "t"))));
  }
}
