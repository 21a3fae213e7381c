package dev.temperstore.config;

import dev.temperstore.internal.config.DurationConverter;

import dev.temperstore.postgres.DatabaseUrl;
import io.smallrye.config.ConfigMappings;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Builds a validated {@link StoreConfig}. SmallRye reads no file by default: the properties file is a source we
 * add ourselves, below environment variables and system properties so that both override it.
 *
 * <p>A {@code temper.*} key that the mapping does not read is refused, naming it, so that a misspelt key never
 * passes for a setting. {@link StoreConfig} alone checks the keys of its own sections ({@code temper.database.*},
 * {@code temper.events.*}, ...) and leaves those of other sections to whoever reads them: an application's
 * {@code conf/} file may hold the standalone service's keys too. A mapping that extends StoreConfig
 * ({@link #load(Optional, Class)}) answers for every {@code temper.*} key.
 */
public final class ConfigLoader {

  /** The properties file read when none is named, relative to the working directory. */
  public static final Path DEFAULT_FILE = Path.of("conf", "application.properties");

  private static final String PREFIX = "temper.";
  /** Between the environment (300) and SmallRye's META-INF file (100). */
  private static final int FILE_ORDINAL = 250;
  private static final int OVERRIDES_ORDINAL = 500;
  /** The sections StoreConfig maps, read from the mapping itself so that they never drift from it. */
  private static final Set<String> STORE_SECTIONS = sections(StoreConfig.class);

  private ConfigLoader() {
  }

  /**
   * System properties, environment variables, then {@code file} if given (it must exist), else
   * {@link #DEFAULT_FILE} if present.
   *
   * @throws ConfigException naming the key, when a value cannot work
   */
  public static StoreConfig load(Optional<Path> file) {
    return load(file, StoreConfig.class);
  }

  /**
   * As {@link #load(Optional)}, into {@code mapping}: a {@code @ConfigMapping(prefix = "temper")} that extends
   * StoreConfig with keys of its own (the standalone service's). The store's keys are validated here; the others are
   * the caller's to validate.
   *
   * @throws ConfigException naming the key, when a value cannot work or a key is read by no part of the mapping
   */
  public static <T extends StoreConfig> T load(Optional<Path> file, Class<T> mapping) {
    List<ConfigSource> sources = new ArrayList<>();
    Path path = file.orElse(DEFAULT_FILE);
    if (file.isPresent() || Files.isRegularFile(path)) {
      sources.add(propertiesFile(path));
    }
    return build(() -> new SmallRyeConfigBuilder().addSystemSources().withSources(sources), mapping);
  }

  /** Only {@code properties} and the defaults: for embedding in an application and for tests. */
  public static StoreConfig fromProperties(Map<String, String> properties) {
    return fromProperties(properties, StoreConfig.class);
  }

  /** As {@link #fromProperties(Map)}, into {@code mapping} (see {@link #load(Optional, Class)}). */
  public static <T extends StoreConfig> T fromProperties(Map<String, String> properties, Class<T> mapping) {
    return fromSources(List.of(new PropertiesConfigSource(properties, "overrides", OVERRIDES_ORDINAL)), mapping);
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
    return fromSources(sources, StoreConfig.class);
  }

  /** As {@link #fromSources(List)}, into {@code mapping} (see {@link #load(Optional, Class)}). */
  public static <T extends StoreConfig> T fromSources(List<ConfigSource> sources, Class<T> mapping) {
    return build(() -> new SmallRyeConfigBuilder().withSources(sources), mapping);
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

  /** {@code sources} makes a builder that holds the sources; called twice when StoreConfig is read alone. */
  private static <T extends StoreConfig> T build(Supplier<SmallRyeConfigBuilder> sources, Class<T> mapping) {
    T config;
    try {
      SmallRyeConfigBuilder builder = withConverters(sources.get()).withMapping(mapping);
      if (mapping == StoreConfig.class) {
        othersKeys(sources.get()).forEach(builder::withMappingIgnore);
      }
      SmallRyeConfig built = builder.build();
      config = built.getConfigMapping(mapping);
    } catch (ConfigValidationException e) {
      throw new ConfigException(oneLine(e.getProblem(0).getMessage()));
    } catch (NoSuchElementException | IllegalArgumentException e) {
      throw new ConfigException(oneLine(e.getMessage()));
    }
    validate(config);
    return config;
  }

  private static SmallRyeConfigBuilder withConverters(SmallRyeConfigBuilder builder) {
    return builder.addDefaultInterceptors().withConverter(Duration.class, 200, new DurationConverter());
  }

  /**
   * The {@code temper.*} names in the sources outside the store's sections, as SmallRye's check of unknown keys
   * lists them (the same interceptors applied): not ours to refuse.
   */
  private static Set<String> othersKeys(SmallRyeConfigBuilder sources) {
    Set<String> others = new HashSet<>();
    for (String name : withConverters(sources).build().getPropertyNames()) {
      if (name.startsWith(PREFIX) && !STORE_SECTIONS.contains(section(name))) {
        others.add(name);
      }
    }
    return others;
  }

  private static Set<String> sections(Class<?> mapping) {
    Set<String> sections = new HashSet<>();
    ConfigMappings.ConfigClass.configClass(mapping).getProperties().keySet().forEach(key -> sections.add(section(key)));
    return sections;
  }

  /** {@code database} of {@code temper.database.url}. */
  private static String section(String name) {
    int end = PREFIX.length();
    while (end < name.length() && name.charAt(end) != '.' && name.charAt(end) != '[') {
      end++;
    }
    return name.substring(PREFIX.length(), end);
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
    atLeast("temper.subjects.key-cache-size", config.subjects().keyCacheSize(), 1);
    positive("temper.subjects.key-cache-max-age", config.subjects().keyCacheMaxAge());
    try {
      SecretKeys.keyRing(config.secrets());
      SubscriptionKeys.settings(config.subscriptions());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    positive("temper.database.connect-timeout", config.database().connectTimeout());
    positive("temper.migration.lock-timeout", config.migration().lockTimeout());
    positive("temper.migration.statement-timeout", config.migration().statementTimeout());
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
