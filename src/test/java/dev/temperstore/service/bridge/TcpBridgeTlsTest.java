package dev.temperstore.service.bridge;

import dev.temperstore.client.BridgeTls;
import dev.temperstore.client.BridgeClient;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS on the bridge port, and the refusal to listen beyond loopback without authentication. */
class TcpBridgeTlsTest {

  private static final String PASSWORD = "changeit";
  private static final String READ = "temper.store.events.read";

  private Vertx vertx;

  @BeforeEach
  void standInStore() {
    vertx = Vertx.vertx();
    vertx.eventBus().consumer(READ, message -> message.reply(new JsonObject().put("echo", message.body())))
        .completion().await();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void a_client_trusting_the_bridges_certificate_is_served_over_tls(@TempDir Path dir) throws Exception {
    Path keystore = keystore(dir);
    int port = Ports.free();
    TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(port)
        .withTls(new BridgeTls(keystore.toString(), PASSWORD))).await();
    BridgeClient.Options options = BridgeClient.Options.of(Duration.ofSeconds(10))
        .withTrustStore(new BridgeTls(keystore.toString(), PASSWORD));

    try (BridgeClient client = BridgeClient.connect(vertx, "127.0.0.1", port, options)
        .await().atMost(Duration.ofSeconds(10))) {
      JsonObject reply = client.request(READ, new JsonObject().put("n", 1)).await().atMost(Duration.ofSeconds(10));

      assertThat(reply).isEqualTo(new JsonObject().put("echo", new JsonObject().put("n", 1)));
    }
    try (WireClient plain = new WireClient(port)) {
      plain.send(new JsonObject().put("type", "ping"));
      assertThatThrownBy(plain::receive).isInstanceOf(IOException.class); // no plain-text frames on a TLS port
    }
  }

  @Test
  void a_bridge_beyond_loopback_without_authentication_refuses_to_start() {
    BridgeOptions open = BridgeOptions.loopback(Ports.free()).withHost("0.0.0.0");

    assertThatThrownBy(() -> TcpBridge.listen(vertx, Addresses.defaults(), open).await())
        .hasMessage("refusing to serve the bridge on 0.0.0.0: it is not a loopback address and no authentication "
            + "is configured; set temper.bridge.auth.jwt-secret or temper.bridge.auth.jwt-public-key, or "
            + "temper.bridge.host=127.0.0.1");
    BridgeAuth auth = BridgeAuth.create(vertx, Optional.of("a-test-secret-of-at-least-32-bytes-long"),
        Optional.empty(), "RS256", Optional.empty(), Optional.empty(),
        Duration.ofDays(30));
    NetServer authenticated = TcpBridge.listen(vertx, Addresses.defaults(), open.withAuth(auth)).await();
    assertThat(authenticated.actualPort()).isPositive();
  }

  @Test
  void only_loopback_literals_and_localhost_count_as_loopback() {
    assertThat(TcpBridge.isLoopback("127.0.0.1")).isTrue();
    assertThat(TcpBridge.isLoopback("127.1.2.3")).isTrue();
    assertThat(TcpBridge.isLoopback("::1")).isTrue();
    assertThat(TcpBridge.isLoopback("localhost")).isTrue();
    assertThat(TcpBridge.isLoopback("0.0.0.0")).isFalse();
    assertThat(TcpBridge.isLoopback("10.0.0.7")).isFalse();
    assertThat(TcpBridge.isLoopback("bridge.example.com")).isFalse();
  }

  /** A self-signed certificate for 127.0.0.1 and localhost, made by the JDK's keytool. */
  private static Path keystore(Path dir) throws Exception {
    Path keystore = dir.resolve("bridge.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "bridge", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
    return keystore;
  }
}
