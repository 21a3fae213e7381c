package dev.temperstore.service.bridge;

import dev.temperstore.client.BridgeTls;
import dev.temperstore.config.ConfigException;
import dev.temperstore.service.config.ServiceConfig;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The one place that turns {@code temper.bridge.*} into {@link BridgeOptions} and {@link BridgeAuth}. */
public final class BridgeSettings {

  private BridgeSettings() {
  }

  /**
   * @param requestTimeout  how long the bridge waits for the store; give it more than the store's own deadline
   * @param deliveryTimeout how long the store waits for a delivery's answer ({@code temper.subscriptions.*})
   */
  public static BridgeOptions options(Vertx vertx, ServiceConfig.Bridge bridge, Duration requestTimeout,
                                      Duration deliveryTimeout) {
    BridgeLimits limits = new BridgeLimits(bridge.maxFrameBytes(), bridge.maxOutstandingPerConnection(),
        bridge.idleTimeout(), bridge.maxConnections(), requestTimeout, bridge.maxRegistrationsPerConnection(),
        bridge.maxDeliveriesPerConnection(), deliveryTimeout);
    Optional<BridgeTls> tls = bridge.tlsKeystore()
        .map(keystore -> new BridgeTls(keystore, bridge.tlsKeystorePassword().orElse("")));
    return new BridgeOptions(bridge.host(), bridge.port(), bridge.allowSecretGet(), bridge.deliveryPrefix(), limits,
        auth(vertx, bridge.auth()), tls);
  }

  /** Token verification as configured; empty when neither a secret nor a public key is set. */
  public static Optional<BridgeAuth> auth(Vertx vertx, ServiceConfig.Bridge.Auth auth) {
    if (auth.jwtSecret().isEmpty() && auth.jwtPublicKey().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(BridgeAuth.create(vertx, auth.jwtSecret(), auth.jwtPublicKey().map(BridgeSettings::pem),
        auth.jwtPublicKeyAlgorithm(), auth.issuer(), auth.audience(), auth.maxTokenLifetime()));
  }

  /** The PEM text itself, or the content of the file it names (read once, at start). */
  private static String pem(String value) {
    if (value.contains("-----BEGIN")) {
      return value;
    }
    try {
      return Files.readString(Path.of(value));
    } catch (IOException e) {
      throw new ConfigException("temper.bridge.auth.jwt-public-key: cannot read " + value + ": " + e.getMessage());
    }
  }
}
