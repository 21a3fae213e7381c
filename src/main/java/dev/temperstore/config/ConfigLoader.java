package dev.temperstore.config;

import dev.temperstore.internal.config.DurationConverter;

import dev.temperstore.postgres.DatabaseUrl;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Builds a validated {@link StoreConfig}. SmallRye reads no file by default: the properties file is a source we
 * add ourselves, below environment variables and system properties so that both override it.
 */
public final class ConfigLoader {

  /** The properties file read when none is named, relative to the working directory. */
  public static final Path DEFAULT_FILE = Path.of("conf", "application.properties");

  /** Between the environment (300) and SmallRye's META-INF file (100). */
  private static final int FILE_ORDINAL = 250;
  private static final int OVERRIDES_ORDINAL = 500;
  private static final int MIN_JWT_SECRET_BYTES = 32;

  private ConfigLoader() {
  }

  /**
   * System properties, environment variables, then {@code file} if given (it must exist), else
   * {@link #DEFAULT_FILE} if present.
   *
   * @throws ConfigException naming the key, when a value cannot work
   */
  public static StoreConfig load(Optional<Path> file) {
    List<ConfigSource> sources = new ArrayList<>();
    Path path = file.orElse(DEFAULT_FILE);
    if (file.isPresent() || Files.isRegularFile(path)) {
      sources.add(propertiesFile(path));
    }
    SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addSystemSources();
    return build(builder, sources);
  }

  /** Only {@code properties} and the defaults: for embedding in an application and for tests. */
  public static StoreConfig fromProperties(Map<String, String> properties) {
    return fromSources(List.of(new PropertiesConfigSource(properties, "overrides", OVERRIDES_ORDINAL)));
  }

  /**
   * The configuration sources an application already has (its SmallRye or MicroProfile {@code Config}: system
   * properties, environment, its own files), read for the store's {@code temper.*} keys, with the store's defaults
   * below them.
   */
  public static StoreConfig from(Config applicationConfig) {
    List<ConfigSource> sources = new ArrayList<>();
    applicationConfig.getConfigSources().forEach(sources::add);
    return fromSources(sources);
  }

  /** Exactly {@code sources} and the defaults. */
  public static StoreConfig fromSources(List<ConfigSource> sources) {
    return build(new SmallRyeConfigBuilder(), sources);
  }

  /** Reads a properties file as a source of the file's rank. */
  static ConfigSource propertiesFile(Path path) {
    try {
      URL url = path.toUri().toURL();
      return new PropertiesConfigSource(url, FILE_ORDINAL);
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + path.toAbsolutePath() + ": " + e.getMessage());
    }
  }

  private static StoreConfig build(SmallRyeConfigBuilder builder, List<ConfigSource> sources) {
    builder
        .addDefaultInterceptors()
        .withSources(sources)
        .withConverter(Duration.class, 200, new DurationConverter())
        .withMapping(StoreConfig.class);
    StoreConfig config;
    try {
      SmallRyeConfig built = builder.build();
      config = built.getConfigMapping(StoreConfig.class);
    } catch (ConfigValidationException e) {
      throw new ConfigException(oneLine(e.getProblem(0).getMessage()));
    } catch (NoSuchElementException | IllegalArgumentException e) {
      throw new ConfigException(oneLine(e.getMessage()));
    }
    validate(config);
    return config;
  }

  private static void validate(StoreConfig config) {
    config.database().url().ifPresent(url -> url("temper.database.url (or DATABASE_URL)", url));
    config.database().migrationUrl().ifPresent(url -> url("temper.database.migration-url", url));
    if (config.database().migrationUrl().isPresent() && config.database().url().isEmpty()) {
      throw new ConfigException("temper.database.migration-url is set but temper.database.url (or DATABASE_URL) "
          + "is not: set the serving role's URL too");
    }
    config.database().operatorUrl().ifPresent(url -> url("temper.database.operator-url", url));
    if (config.database().operatorUrl().isPresent() && config.database().url().isEmpty()) {
      throw new ConfigException("temper.database.operator-url is set but temper.database.url (or DATABASE_URL) "
          + "is not: all-tenant reads need a database of your own, not the embedded one");
    }
    positive("temper.requests.deadline", config.requests().deadline());
    config.database().statementTimeout().ifPresent(timeout -> {
      positive("temper.database.statement-timeout", timeout);
      if (timeout.compareTo(config.requests().deadline()) > 0) {
        throw new ConfigException("temper.database.statement-timeout (" + timeout.toMillis() + " ms"
            + ") must not exceed temper.requests.deadline (" + config.requests().deadline().toMillis() + " ms"
            + "): a statement would outlive its request; lower it, or leave it unset to use the deadline");
      }
    });
    atLeast("temper.database.pool-size", config.database().poolSize(), 1);
    atLeast("temper.server.instances", config.server().instances(), 1);
    atLeast("temper.bus.max-in-flight", config.bus().maxInFlight(), 1);
    if (!config.bus().prefix().matches("[A-Za-z0-9_.-]+")) {
      throw new ConfigException("temper.bus.prefix must be letters, digits, '.', '-' or '_', got \""
          + config.bus().prefix() + "\"");
    }
    atLeast("temper.events.max-events-per-append", config.events().maxEventsPerAppend(), 1);
    atLeast("temper.events.max-event-bytes", config.events().maxEventBytes(), 1);
    atLeast("temper.events.max-read-limit", config.events().maxReadLimit(), 1);
    atLeast("temper.events.max-appends-per-batch", config.events().maxAppendsPerBatch(), 1);
    if (config.events().concurrentBatches().isPresent()) {
      int concurrentBatches = config.events().concurrentBatches().getAsInt();
      atLeast("temper.events.concurrent-batches", concurrentBatches, 1);
      if (concurrentBatches > config.database().poolSize()) {
        throw new ConfigException("temper.events.concurrent-batches (" + concurrentBatches
            + ") must not exceed temper.database.pool-size (" + config.database().poolSize() + ")");
      }
    }
    atLeast("temper.snapshots.max-state-bytes", config.snapshots().maxStateBytes(), 0);
    atLeast("temper.secrets.max-per-tenant", config.secrets().maxPerTenant(), 1);
    atLeast("temper.secrets.max-value-bytes", config.secrets().maxValueBytes(), 1);
    atLeast("temper.secrets.rotation-batch-size", config.secrets().rotationBatchSize(), 1);
    try {
      SecretKeys.keyRing(config.secrets());
      SubscriptionKeys.settings(config.subscriptions());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    positive("temper.database.connect-timeout", config.database().connectTimeout());
    positive("temper.migration.lock-timeout", config.migration().lockTimeout());
    positive("temper.migration.statement-timeout", config.migration().statementTimeout());
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
  }

  private static void validateBridge(StoreConfig.Bridge bridge, String busPrefix) {
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
      int bytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes < MIN_JWT_SECRET_BYTES) {
        throw new ConfigException("temper.bridge.auth.jwt-secret must be at least " + MIN_JWT_SECRET_BYTES
            + " bytes, got " + bytes + " (e.g. openssl rand -base64 32)");
      }
    });
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

  private static void url(String key, String url) {
    try {
      DatabaseUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + " is " + e.getMessage());
    }
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

  /** SmallRye's text without the exception class and message-id prefixes it carries. */
  private static String oneLine(String message) {
    return message.replaceAll("^([\\w.$]+(Exception|Error): )+", "").replaceAll("SRCFG\\d+: ", "")
        .replace('\n', ' ');
  }
}
