package dev.temperstore.service.bridge;

import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.JarProcess;
import dev.temperstore.testing.Ports;
import dev.temperstore.testing.PostgresServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two store processes serving the bridge on one database, and {@code revoke-token} run as an operator runs it: the
 * token is refused by both, on connections that already verified it, well before their periodic read of the list
 * (set to ten minutes here), so through the revocation's notification; bad options revoke nothing.
 */
class TokenRevocationIT extends DatabaseTest {

  private static final Duration TIMEOUT = Await.PROCESS_TIMEOUT;
  private static final String SECRET = "an-it-secret-of-at-least-32-bytes-long";
  private static final String APPEND = "temper.store.events.append";

  @TempDir
  Path workDir;

  @Test
  void a_token_revoked_by_the_command_is_refused_by_both_processes_on_connections_that_verified_it() throws Exception {
    int portA = Ports.free();
    int portB = Ports.free();
    String token = BridgeAuth.create(vertx, Optional.of(SECRET), Optional.empty(), "RS256", Optional.empty(),
        Optional.empty(), Duration.ofHours(720)).issue("billing", List.of("acme"), Set.of(Permission.WRITE),
        Duration.ofHours(1));
    String jti = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
        StandardCharsets.UTF_8)).getString("jti");

    try (JarProcess a = serve(portA); JarProcess b = serve(portB)) {
      a.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      b.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      try (WireClient onA = new WireClient(portA); WireClient onB = new WireClient(portB)) {
        assertThat(onA.request(APPEND, append("acme:Order:o-1", 0), token).getString("type")).isEqualTo("message");
        assertThat(onB.request(APPEND, append("acme:Order:o-2", 0), token).getString("type")).isEqualTo("message");

        JarProcess revoke = JarProcess.start(workDir, env(), "revoke-token", "--jti", jti, "--reason", "leaked");
        assertThat(revoke.exitCode(TIMEOUT)).as(revoke.output()).isZero();
        long revoked = System.nanoTime();

        for (WireClient client : List.of(onA, onB)) {
          while (client.request(APPEND, append("acme:Order:o-3", 99), token).getInteger("failureCode", 0) != 401) {
            assertThat(Duration.ofNanos(System.nanoTime() - revoked)).as("refused through the notification, not"
                + " the ten-minute read").isLessThan(Duration.ofSeconds(10));
            Thread.sleep(20);
          }
        }
        assertThat(onA.request(APPEND, append("acme:Order:o-3", 0), token).getString("message"))
            .isEqualTo("unauthorized: the token has been revoked");
      }
      assertThat(a.output() + b.output()).doesNotContain(token);
    }
    assertThat(database.admin().strings("SELECT jti || ' ' || reason FROM temper_store_token_revocations"))
        .containsExactly(jti + " leaked");

    JarProcess future = JarProcess.start(workDir, env(), "revoke-token", "--subject", "billing", "--issued-before",
        "2999-01-01T00:00:00Z");
    assertThat(future.exitCode(TIMEOUT)).as(future.output()).isEqualTo(2);
    assertThat(future.output()).contains("is in the future");
    JarProcess both = JarProcess.start(workDir, env(), "revoke-token", "--jti", "a", "--subject", "b");
    assertThat(both.exitCode(TIMEOUT)).isEqualTo(2);
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_token_revocations")).isEqualTo(1);
  }

  private JarProcess serve(int bridgePort) {
    Map<String, String> env = new HashMap<>(env());
    env.putAll(Map.of("TEMPER_HTTP_PORT", "0", "TEMPER_BRIDGE_ENABLED", "true",
        "TEMPER_BRIDGE_PORT", Integer.toString(bridgePort), "TEMPER_BRIDGE_AUTH_REVOCATION_REFRESH", "10m"));
    return JarProcess.start(workDir, env, "serve");
  }

  private Map<String, String> env() {
    return Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()), "TEMPER_BRIDGE_AUTH_JWT_SECRET", SECRET);
  }

  private static JsonObject append(String persistenceId, long expected) {
    return new JsonObject().put("persistenceId", persistenceId).put("expectedSequence", expected)
        .put("events", new JsonArray().add(new JsonObject().put("eventType", "Placed").put("payload", 1)
            .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "t"))));
  }
}
