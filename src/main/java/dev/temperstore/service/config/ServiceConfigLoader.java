package dev.temperstore.service.config;

import dev.temperstore.config.ConfigException;
import dev.temperstore.config.ConfigLoader;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a validated {@link ServiceConfig}: {@link ConfigLoader} reads it from the library's sources and validates
 * the store's keys first; then the service's own are checked here. A bad value stops the command with one line that
 * names the key, as the store's do.
 */
public final class ServiceConfigLoader {

  private static final int MIN_JWT_SECRET_BYTES = 32;

  private ServiceConfigLoader() {
  }

  /**
   * System properties, environment variables, then {@code file} if given (it must exist), else
   * {@code conf/application.properties} if present ({@link ConfigLoader#load(Optional)}).
   *
   * @throws ConfigException naming the key, when a value cannot work or a {@code temper.*} key is unknown
   */
  public static ServiceConfig load(Optional<Path> file) {
    return validated(ConfigLoader.load(file, ServiceConfig.class));
  }

  /** Only {@code properties} and the defaults: for tests, and client JVMs that configure the cluster in code. */
  public static ServiceConfig fromProperties(Map<String, String> properties) {
    return validated(ConfigLoader.fromProperties(properties, ServiceConfig.class));
  }

  private static ServiceConfig validated(ServiceConfig config) {
    if (config.http().port() < 0 || config.http().port() > 65535) {
      throw new ConfigException("temper.http.port must be between 0 and 65535, got " + config.http().port());
    }
    if (config.bridge().port() < 0 || config.bridge().port() > 65535) {
      throw new ConfigException("temper.bridge.port must be between 0 and 65535, got " + config.bridge().port());
    }
    validateBridge(config.bridge(), config.bus().prefix());
    config.cluster().tlsKeystore().ifPresent(keystore -> {
      if (!Files.isReadable(Path.of(keystore))) {
        throw new ConfigException("temper.cluster.tls-keystore names a file that cannot be read: " + keystore);
      }
    });
    int port = config.embedded().port();
    if (port < 0 || port > 65535) {
      throw new ConfigException("temper.embedded.port must be between 0 and 65535, got " + port);
    }
    if (config.embedded().dataDir().isBlank()) {
      throw new ConfigException("temper.embedded.data-dir must not be empty");
    }
    return config;
  }

  private static void validateBridge(ServiceConfig.Bridge bridge, String busPrefix) {
    atLeast("temper.bridge.max-frame-bytes", bridge.maxFrameBytes(), 1);
    atLeast("temper.bridge.max-outstanding-per-connection", bridge.maxOutstandingPerConnection(), 1);
    atLeast("temper.bridge.max-connections", bridge.maxConnections(), 1);
    atLeast("temper.bridge.max-registrations-per-connection", bridge.maxRegistrationsPerConnection(), 1);
    atLeast("temper.bridge.max-deliveries-per-connection", bridge.maxDeliveriesPerConnection(), 1);
    String delivery = bridge.deliveryPrefix();
    if (delivery.isBlank() || delivery.startsWith(".") || delivery.endsWith(".")) {
      throw new ConfigException("temper.bridge.delivery-prefix must be an address that neither starts nor ends with"
          + " '.', got \"" + delivery + "\"");
    }
    // A bridge client registering under the delivery prefix must never be able to register a store address.
    boolean overlap = delivery.equals(busPrefix) || delivery.startsWith(busPrefix + ".")
        || busPrefix.startsWith(delivery + ".");
    if (bridge.enabled() && overlap) {
      throw new ConfigException("temper.bridge.delivery-prefix \"" + delivery + "\" overlaps temper.bus.prefix \""
          + busPrefix + "\": bridge clients could register the store's own addresses; choose one outside it");
    }
    positive("temper.bridge.idle-timeout", bridge.idleTimeout());
    bridge.tlsKeystore().ifPresent(keystore -> {
      if (!Files.isReadable(Path.of(keystore))) {
        throw new ConfigException("temper.bridge.tls-keystore names a file that cannot be read: " + keystore);
      }
    });
    bridge.auth().jwtSecret().ifPresent(secret -> {
      // HS256 with a short secret can be brute-forced offline from any one token.
      int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
      if (bytes < MIN_JWT_SECRET_BYTES) {
        throw new ConfigException("temper.bridge.auth.jwt-secret must be at least " + MIN_JWT_SECRET_BYTES
            + " bytes, got " + bytes + " (e.g. openssl rand -base64 32)");
      }
    });
    if (bridge.auth().maxTokenLifetime().toSeconds() < 1) {
      throw new ConfigException("temper.bridge.auth.max-token-lifetime must be at least 1s, got "
          + bridge.auth().maxTokenLifetime());
    }
    if (!bridge.auth().jwtPublicKeyAlgorithm().matches("(?i)(RS|ES|PS)(256|384|512)")) {
      throw new ConfigException("temper.bridge.auth.jwt-public-key-algorithm must be one of RS256, RS384, RS512, "
          + "ES256, ES384, ES512, PS256, PS384, PS512, got \"" + bridge.auth().jwtPublicKeyAlgorithm() + "\"");
    }
    bridge.auth().jwtPublicKey().ifPresent(key -> {
      if (!key.contains("-----BEGIN") && !Files.isReadable(Path.of(key))) {
        throw new ConfigException("temper.bridge.auth.jwt-public-key is neither PEM text nor a readable file: "
            + key);
      }
    });
  }

  private static void atLeast(String key, int value, int minimum) {
    if (value < minimum) {
      throw new ConfigException(key + " must be at least " + minimum + ", got " + value);
    }
  }

  private static void positive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new ConfigException(key + " must be a positive duration, got " + value);
    }
  }
}
