package dev.temperstore.service.bridge;

import dev.temperstore.client.BridgeClient;
import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.Forbidden;
import dev.temperstore.errors.Unauthenticated;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bridge credentials and tenant confinement, against the real store and database. */
class TcpBridgeAuthTest extends DatabaseTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long";
  private static final String ISSUER = "temper-test";
  private static final String AUDIENCE = "temper-bridge";
  private static final String APPEND = "temper.store.events.append";
  private static final Duration MAX_LIFETIME = Duration.ofHours(1);

  private BridgeAuth auth;
  private NetServer bridge;
  private int port;

  @BeforeEach
  void storeAndAuthenticatedBridge() {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()))).await();
    auth = BridgeAuth.create(vertx, Optional.of(SECRET), Optional.empty(), "RS256", Optional.of(ISSUER),
        Optional.of(AUDIENCE), MAX_LIFETIME);
    port = Ports.free();
    bridge = TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(port).withAuth(auth)).await();
  }

  @AfterEach
  void closeBridge() {
    bridge.close().await();
  }

  private String token(List<String> tenants, Permission... permissions) {
    return auth.issue("test-client", tenants, Set.of(permissions), Duration.ofMinutes(5));
  }

  @Test
  void a_request_without_a_token_is_refused_with_401() throws IOException {
    try (WireClient client = new WireClient(port)) {
      JsonObject reply = client.request(APPEND, append("acme:Order:o-1", 0), null);

      assertThat(reply).isEqualTo(new JsonObject().put("type", "err").put("address", "reply-1")
          .put("failureCode", 401)
          .put("message", "unauthorized: no bearer token (send headers.authorization = \"Bearer <token>\")"));
      client.send(new JsonObject().put("type", "ping"));
      assertThat(client.receive().getString("type")).isEqualTo("pong"); // the connection stays usable
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void a_token_signed_with_another_secret_is_refused_with_401_without_echoing_it() throws IOException {
    String forged = jwt("another-secret-that-is-32-bytes-long!!").generateToken(new JsonObject()
        .put("tenants", "*").put("permissions", new JsonArray().add("write")), signing());
    try (WireClient client = new WireClient(port)) {
      JsonObject reply = client.request(APPEND, append("acme:Order:o-1", 0), forged);

      assertThat(reply.getInteger("failureCode")).isEqualTo(401);
      assertThat(reply.getString("message")).isEqualTo("unauthorized: invalid token (Signature verification failed)");
      assertThat(reply.encode()).doesNotContain(forged).doesNotContain(forged.split("\\.")[2]);
      assertThat(client.request(APPEND, append("acme:Order:o-1", 0), "not.a.jwt").getString("message"))
          .isEqualTo("unauthorized: invalid token (it could not be decoded)");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void an_expired_token_is_refused_with_401() throws IOException {
    long anHourAgo = System.currentTimeMillis() / 1000 - 3600;
    String expired = jwt(SECRET).generateToken(new JsonObject().put("tenants", "*")
        .put("permissions", new JsonArray().add("write")).put("exp", anHourAgo), signing());
    try (WireClient client = new WireClient(port)) {
      JsonObject reply = client.request(APPEND, append("acme:Order:o-1", 0), expired);

      assertThat(reply.getInteger("failureCode")).isEqualTo(401);
      assertThat(reply.getString("message")).isEqualTo("unauthorized: the token has expired");
    }
  }

  @Test
  void a_token_without_exp_or_living_longer_than_the_cap_or_issued_in_the_future_is_refused_with_401()
      throws IOException {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("tenants", "*").put("permissions", new JsonArray().add("write"));
    String noExpiry = jwt(SECRET).generateToken(claims.copy(), signing());
    String tooLong = jwt(SECRET).generateToken(claims.copy().put("exp", now + 3600 + 60), signing());
    String tooLongWithoutIat = jwt(SECRET).generateToken(claims.copy().put("exp", now + 3600 + 60),
        signing().setNoTimestamp(true));
    String fromTheFuture = jwt(SECRET).generateToken(claims.copy().put("exp", now + 7200).put("iat", now + 3000),
        signing().setNoTimestamp(true));
    String farFuture = jwt(SECRET).generateToken(claims.copy().put("exp", 1e300), signing());
    String textExpiry = jwt(SECRET).generateToken(claims.copy().put("exp", String.valueOf(now + 60)), signing());
    String textIat = jwt(SECRET).generateToken(claims.copy().put("exp", now + 60).put("iat", "yesterday"),
        signing().setNoTimestamp(true));
    String withinCap = jwt(SECRET).generateToken(claims.copy().put("exp", now + 3500), signing());
    try (WireClient client = new WireClient(port)) {
      assertThat(client.request(APPEND, append("acme:Order:o-1", 0), noExpiry).getString("message")).isEqualTo(
          "unauthorized: the token has no expiry (exp claim): bridge tokens must expire, at most 1h after they are"
              + " issued (temper.bridge.auth.max-token-lifetime)");
      for (String token : List.of(tooLong, tooLongWithoutIat, farFuture)) {
        JsonObject reply = client.request(APPEND, append("acme:Order:o-1", 0), token);
        assertThat(reply.getInteger("failureCode")).isEqualTo(401);
        assertThat(reply.getString("message")).startsWith(
            "unauthorized: the token may live longer than temper.bridge.auth.max-token-lifetime allows (1h");
      }
      JsonObject future = client.request(APPEND, append("acme:Order:o-1", 0), fromTheFuture);
      assertThat(future.getInteger("failureCode")).isEqualTo(401);
      assertThat(future.getString("message")).contains("future");
      for (String token : List.of(textExpiry, textIat)) {
        JsonObject reply = client.request(APPEND, append("acme:Order:o-1", 0), token);
        assertThat(reply.getInteger("failureCode")).as(reply.encode()).isEqualTo(401);
        assertThat(reply.getString("message")).contains("must be").contains("number");
      }
      assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();

      assertThat(client.request(APPEND, append("acme:Order:o-1", 0), withinCap).getString("type")).isEqualTo("message");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(1);
  }

  @Test
  void issuing_a_token_longer_than_the_cap_is_refused_and_an_issued_token_carries_iat_exp_and_its_own_jti() {
    assertThatThrownBy(() -> auth.issue("c", List.of("acme"), Set.of(Permission.READ), Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temper.bridge.auth.max-token-lifetime");
    String first = token(List.of("acme"), Permission.READ);
    String second = token(List.of("acme"), Permission.READ);
    JsonObject claims = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(first.split("\\.")[1]),
        java.nio.charset.StandardCharsets.UTF_8));
    JsonObject other = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(second.split("\\.")[1]),
        java.nio.charset.StandardCharsets.UTF_8));
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(Duration.ofMinutes(5).toSeconds());
    assertThat(claims.getString("jti")).isNotBlank().isNotEqualTo(other.getString("jti"));
  }

  @Test
  void a_token_without_the_tenant_gets_403_and_the_other_tenants_stream_is_unchanged() throws IOException {
    String everyone = token(List.of("*"), Permission.READ, Permission.WRITE);
    String acme = token(List.of("acme"), Permission.READ, Permission.WRITE);
    try (WireClient client = new WireClient(port)) {
      assertThat(client.request(APPEND, append("beta:Order:o-1", 0), everyone).getString("type")).isEqualTo("message");

      JsonObject append = client.request(APPEND, append("beta:Order:o-1", 1), acme);
      JsonObject read = client.request("temper.store.events.read",
          new JsonObject().put("persistenceId", "beta:Order:o-1"), acme);
      JsonObject legacy = client.request(APPEND, append("Order:o-1", 0), acme); // two segments: tenant "default"
      JsonObject batch = client.request("temper.store.events.append-batch", new JsonObject().put("appends",
          new JsonArray().add(append("acme:Order:o-2", 0)).add(append("beta:Order:o-2", 0))), acme);
      JsonObject secrets = client.request("temper.store.secrets.list", new JsonObject().put("tenant", "beta"), acme);
      JsonObject unknown = client.request("temper.store.secrets.list", new JsonObject().put("tenant", 7), acme);

      assertThat(append).isEqualTo(new JsonObject().put("type", "err").put("address", "reply-2")
          .put("failureCode", 403).put("message", "forbidden: token does not grant tenant \"beta\""));
      assertThat(read.getString("message")).isEqualTo("forbidden: token does not grant tenant \"beta\"");
      assertThat(legacy.getString("message")).isEqualTo("forbidden: token does not grant tenant \"default\"");
      assertThat(batch.getString("message")).isEqualTo("forbidden: token does not grant tenant \"beta\"");
      assertThat(secrets.getString("message")).isEqualTo("forbidden: token does not grant tenant \"beta\"");
      assertThat(unknown.getInteger("failureCode")).isEqualTo(403);
      assertThat(unknown.getString("message")).isEqualTo(
          "forbidden: cannot tell which tenant the request touches: \"tenant\" is missing or not a non-empty string");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'beta'")).isEqualTo(1);
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant <> 'beta'")).isZero();
  }

  @Test
  void a_token_without_the_permission_gets_403_naming_it_and_writes_nothing() throws IOException {
    String reader = token(List.of("acme"), Permission.READ);
    String writer = token(List.of("acme"), Permission.READ, Permission.WRITE);
    try (WireClient client = new WireClient(port)) {
      JsonObject append = client.request(APPEND, append("acme:Order:o-1", 0), reader);
      JsonObject secretPut = client.request("temper.store.secrets.put", new JsonObject().put("tenant", "acme")
          .put("keyName", "k").put("value", "v"), writer);
      JsonObject read = client.request("temper.store.events.read",
          new JsonObject().put("persistenceId", "acme:Order:o-1"), reader);

      assertThat(append.getInteger("failureCode")).isEqualTo(403);
      assertThat(append.getString("message"))
          .isEqualTo("forbidden: token lacks the \"write\" permission for temper.store.events.append");
      assertThat(secretPut.getString("message"))
          .isEqualTo("forbidden: token lacks the \"secrets\" permission for temper.store.secrets.put");
      assertThat(read.getString("type")).isEqualTo("message");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM tenant_secrets")).isZero();
  }

  @Test
  void deleting_needs_the_delete_permission_and_retention_its_own_and_the_audit_names_the_token_subject()
      throws IOException {
    String writer = token(List.of("acme"), Permission.READ, Permission.WRITE);
    String deleter = token(List.of("acme"), Permission.DELETE, Permission.RETENTION);
    try (WireClient client = new WireClient(port)) {
      client.request(APPEND, append("acme:Order:o-1", 0), writer);
      JsonObject delete = new JsonObject().put("persistenceId", "acme:Order:o-1").put("actor", "someone else");
      JsonObject policy = new JsonObject().put("tenant", "acme").put("entityType", "Order").put("maxCount", 5);

      JsonObject refused = client.request("temper.store.streams.delete", delete, writer);
      JsonObject refusedPolicy = client.request("temper.store.retention.set", policy, writer);
      assertThat(refused.getString("message"))
          .isEqualTo("forbidden: token lacks the \"delete\" permission for temper.store.streams.delete");
      assertThat(refusedPolicy.getString("message"))
          .isEqualTo("forbidden: token lacks the \"retention\" permission for temper.store.retention.set");
      assertThat(database.admin().count("SELECT count(*) FROM temper_store_audit")).isZero();

      assertThat(client.request("temper.store.streams.delete", delete, deleter).getJsonObject("body")
          .getLong("events")).isEqualTo(1);
      assertThat(client.request("temper.store.retention.set", policy, deleter).getString("type"))
          .isEqualTo("message");
      assertThat(client.request("temper.store.tenants.purge", new JsonObject().put("tenant", "acme"), deleter)
          .getString("message"))
          .isEqualTo("forbidden: token lacks the \"operator\" permission for temper.store.tenants.purge");
    }
    assertThat(database.admin().strings("SELECT actor FROM temper_store_audit ORDER BY id"))
        .allMatch(actor -> actor.contains("token subject \"test-client\"")).hasSize(2);
  }

  @Test
  void forgetting_and_exporting_a_subject_need_the_subjects_permission_and_the_forget_audit_names_the_token_subject()
      throws IOException {
    String writer = token(List.of("acme"), Permission.READ, Permission.WRITE, Permission.DELETE);
    String dpo = token(List.of("acme"), Permission.SUBJECTS);
    JsonObject subject = new JsonObject().put("tenant", "acme").put("subject", "c-42").put("actor", "someone else");
    try (WireClient client = new WireClient(port)) {
      for (String operation : List.of("forget", "export", "check")) {
        assertThat(client.request("temper.store.subjects." + operation, subject, writer).getString("message"))
            .isEqualTo("forbidden: token lacks the \"subjects\" permission for temper.store.subjects." + operation);
      }
      assertThat(client.request("temper.store.subjects.export", subject, dpo).getString("message"))
          .isEqualTo("forbidden: token lacks the \"read\" permission for temper.store.subjects.export");
      assertThat(client.request("temper.store.subjects.forget", subject.copy().put("tenant", "beta"), dpo)
          .getString("message")).isEqualTo("forbidden: token does not grant tenant \"beta\"");
      assertThat(database.admin().count("SELECT count(*) FROM temper_store_subject_keys")).isZero();

      assertThat(client.request("temper.store.subjects.forget", subject, dpo).getJsonObject("body")
          .getBoolean("already")).isFalse();
      assertThat(client.request("temper.store.subjects.check", subject, dpo).getJsonObject("body")
          .getLong("readable")).isZero();
    }
    assertThat(database.admin().strings("SELECT actor FROM temper_store_audit WHERE action = 'subject.forget'"))
        .singleElement().asString().contains("token subject \"test-client\"");
  }

  @Test
  void a_granted_token_appends_and_reads_its_tenant_on_one_connection_request_after_request() throws IOException {
    String acme = token(List.of("acme"), Permission.READ, Permission.WRITE);
    try (WireClient client = new WireClient(port)) {
      for (int sequence = 0; sequence < 3; sequence++) {
        assertThat(client.request(APPEND, append("acme:Order:o-1", sequence), acme).getJsonObject("body"))
            .isEqualTo(new JsonObject().put("sequenceNr", sequence + 1));
      }
      JsonObject read = client.request("temper.store.events.read",
          new JsonObject().put("persistenceId", "acme:Order:o-1:part"), acme); // the entity id may hold colons

      assertThat(read.getString("type")).isEqualTo("message");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'acme'")).isEqualTo(3);
  }

  @Test
  void the_typed_client_sends_its_bearer_token_and_reports_401_and_403_as_store_errors() {
    String acme = token(List.of("acme"), Permission.READ, Permission.WRITE);
    BridgeClient.Options options = BridgeClient.Options.of(Duration.ofSeconds(10));
    try (BridgeClient withToken = BridgeClient.connect(vertx, "127.0.0.1", port, options.withBearerToken(acme))
        .await().atMost(Duration.ofSeconds(10));
         BridgeClient without = BridgeClient.connect(vertx, "127.0.0.1", port, options)
             .await().atMost(Duration.ofSeconds(10))) {
      StoreClient client = new StoreClient(withToken, Addresses.defaults());
      StoreClient anonymous = new StoreClient(without, Addresses.defaults());

      long appended = client.append(PersistenceId.parse("acme:Order:o-1"), 0, events(2))
          .await().atMost(Duration.ofSeconds(10));

      assertThat(appended).isEqualTo(2);
      assertThatThrownBy(() -> client.append(PersistenceId.parse("beta:Order:o-1"), 0, events(1))
          .await().atMost(Duration.ofSeconds(10)))
          .isInstanceOf(Forbidden.class).hasMessage("forbidden: token does not grant tenant \"beta\"");
      assertThatThrownBy(() -> anonymous.read(PersistenceId.parse("acme:Order:o-1"), 0, 10)
          .await().atMost(Duration.ofSeconds(10)))
          .isInstanceOf(Unauthenticated.class).hasMessageStartingWith("unauthorized: no bearer token");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(2);
  }

  private static JsonObject append(String persistenceId, long expected) {
    return new JsonObject().put("persistenceId", persistenceId).put("expectedSequence", expected)
        .put("events", new JsonArray().add(new JsonObject().put("eventType", "Placed").put("payload", 1)
            .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "t"))));
  }

  private static JWTAuth jwt(String secret) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  private static JWTOptions signing() {
    return new JWTOptions().setAlgorithm("HS256").setIssuer(ISSUER).addAudience(AUDIENCE);
  }
}
