package dev.temperstore.config;

import dev.temperstore.internal.config.DurationConverter;

import dev.temperstore.StoreSettings;
import dev.temperstore.postgres.DatabaseTarget;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

  private static final Path SHIPPED_FILE = Path.of("conf", "application.properties");
  private static final DatabaseTarget TARGET = DatabaseTarget.fromUrl("postgres://app@db/temper", Duration.ofSeconds(1));

  @Test
  void defaults_need_no_source_at_all() {
    StoreConfig config = ConfigLoader.fromSources(List.of());

    assertThat(config.database().url()).isEmpty();
    assertThat(config.database().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.migration().lockTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.migration().statementTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void the_request_deadline_defaults_to_20s_and_bounds_the_statement_timeout_it_also_defaults() {
    StoreConfig defaults = ConfigLoader.fromProperties(Map.of());
    StoreConfig lower = ConfigLoader.fromProperties(Map.of("temper.requests.deadline", "5s",
        "temper.database.statement-timeout", "2s"));

    assertThat(defaults.requests().deadline()).isEqualTo(Duration.ofSeconds(20));
    assertThat(defaults.database().statementTimeout()).isEmpty();
    assertThat(lower.requests().deadline()).isEqualTo(Duration.ofSeconds(5));
    assertThat(lower.database().statementTimeout()).contains(Duration.ofSeconds(2));
  }

  @Test
  void a_statement_timeout_above_the_request_deadline_is_refused_naming_both_keys() {
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.requests.deadline", "10s",
        "temper.database.statement-timeout", "30s")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.database.statement-timeout (30000 ms) must not exceed temper.requests.deadline"
            + " (10000 ms): a statement would outlive its request; lower it, or leave it unset to use the deadline");
  }

  @Test
  void database_url_is_honoured_as_in_temper() {
    StoreConfig config = ConfigLoader.fromSources(List.of(
        env(Map.of("DATABASE_URL", "postgres://temper:pw@db:5432/temper"))));

    assertThat(config.database().url()).contains("postgres://temper:pw@db:5432/temper");
  }

  @Test
  void temper_database_url_wins_over_database_url() {
    StoreConfig config = ConfigLoader.fromSources(List.of(env(Map.of(
        "DATABASE_URL", "postgres://a@one/db",
        "TEMPER_DATABASE_URL", "postgres://b@two/db"))));

    assertThat(config.database().url()).contains("postgres://b@two/db");
  }

  @Test
  void environment_variables_override_the_properties_file(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, "temper.migration.lock-timeout=7s\ntemper.database.pool-size=5\n");

    StoreConfig config = ConfigLoader.fromSources(List.of(
        ConfigLoader.propertiesFile(file), env(Map.of("TEMPER_MIGRATION_LOCK_TIMEOUT", "500ms"))));

    assertThat(config.migration().lockTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.database().poolSize()).isEqualTo(5);
  }

  @Test
  void the_shipped_file_with_the_services_keys_loads_into_the_stores_configuration() {
    StoreConfig config = ConfigLoader.fromSources(List.of(ConfigLoader.propertiesFile(SHIPPED_FILE)));

    assertThat(config.requests().deadline()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void keys_of_other_sections_are_left_to_whoever_reads_them_even_values_they_would_refuse(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, "temper.database.pool-size=3\n"
        + "temper.http.port=70000\ntemper.bridge.auth.jwt-secret=short\ntemper.cluster.enabled=maybe\n"
        + "temper.embedded.data-dir=\ntemper.someone-else.key=1\n");

    StoreConfig config = ConfigLoader.load(Optional.of(file));

    assertThat(config.database().poolSize()).isEqualTo(3);
  }

  @Test
  void an_unknown_key_in_a_section_of_the_store_is_refused_naming_it(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, "temper.http.port=8082\ntemper.database.pool-sise=3\n");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("temper.database.pool-sise in PropertiesConfigSource[source=")
        .hasMessageEndingWith(" does not map to any root");
  }

  @Test
  void an_explicitly_named_file_that_does_not_exist_stops_startup(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(missing)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cannot read configuration file " + missing.toAbsolutePath());
  }

  @Test
  void durations_take_the_short_forms_and_iso_8601() {
    DurationConverter converter = new DurationConverter();

    assertThat(converter.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(converter.convert("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(converter.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void a_value_that_does_not_convert_is_reported_on_one_line_naming_the_key() {
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.migration.lock-timeout", "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("temper.migration.lock-timeout")
        .hasMessageContaining("not a duration")
        .message().doesNotContain("\n").doesNotStartWith("java.");
  }

  @Test
  void a_non_positive_timeout_is_refused_naming_the_key() {
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.database.connect-timeout", "0s")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.database.connect-timeout must be a positive duration, got PT0S");
  }

  @Test
  void master_keys_come_from_numbered_keys_and_the_environment_with_the_highest_as_primary() {
    String key1 = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    String key2 = java.util.Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
        14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

    StoreConfig config = ConfigLoader.fromSources(List.of(
        new PropertiesConfigSource(Map.of("temper.secrets.keys.1", key1), "file", 250),
        env(Map.of("TEMPER_SECRETS_KEYS_2", key2))));

    assertThat(config.secrets().keys()).containsOnlyKeys(1, 2);
    assertThat(SecretKeys.keyRing(config.secrets()).primary().version()).isEqualTo(2);
    assertThat(SecretKeys.keyRing(ConfigLoader.fromSources(List.of()).secrets()).isEmpty()).isTrue();
  }

  @Test
  void a_master_key_that_is_not_32_bytes_of_base64_stops_startup_naming_it_but_not_showing_it() {
    String short16 = java.util.Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.secrets.keys.3", short16)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("temper.secrets.keys.3")
        .message().doesNotContain(short16);
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.secrets.keys.1", "not*base64!")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("temper.secrets.keys.1")
        .message().doesNotContain("not*base64!");
  }

  @Test
  void a_migration_url_without_a_serving_url_is_refused() {
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.database.migration-url", "postgres://o@h/d")))
        .hasMessageStartingWith("temper.database.migration-url is set but temper.database.url");
  }

  @Test
  void an_operator_url_is_checked_needs_a_serving_url_and_is_described_without_its_password() {
    StoreConfig config = ConfigLoader.fromProperties(Map.of("temper.database.url", "postgres://app:a@db:5432/temper",
        "temper.database.operator-url", "postgres://ops:s3cret-pw@db:5432/temper"));
    StoreSettings settings = StoreSettings.of(config, DatabaseTarget.fromUrl("postgres://o@db/temper",
        Duration.ofSeconds(1)), DatabaseTarget.fromUrl("postgres://app:a@db/temper", Duration.ofSeconds(1)));

    assertThat(settings.operator()).isPresent();
    assertThat(settings.operator().get().options().getUser()).isEqualTo("ops");
    assertThat(settings.operator().get().describe()).contains("ops").doesNotContain("s3cret-pw");
    assertThat(StoreSettings.of(ConfigLoader.fromProperties(Map.of()), settings.migration(), settings.serving())
        .operator()).isEmpty();
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.database.operator-url", "postgres://o@h/d")))
        .hasMessageStartingWith("temper.database.operator-url is set but temper.database.url");
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.database.url", "postgres://a@h/d",
        "temper.database.operator-url", "mysql://o@h/d")))
        .hasMessageStartingWith("temper.database.operator-url is ");
  }

  @Test
  void unset_concurrent_batches_are_four_or_the_pool_size_if_smaller() {
    assertThat(StoreSettings.of(ConfigLoader.fromProperties(Map.of()), TARGET, TARGET).eventLimits()
        .concurrentBatches()).isEqualTo(4);
    assertThat(StoreSettings.of(ConfigLoader.fromProperties(Map.of("temper.database.pool-size", "2")), TARGET, TARGET)
        .eventLimits().concurrentBatches()).isEqualTo(2);
    assertThat(StoreSettings.of(ConfigLoader.fromProperties(Map.of("temper.events.concurrent-batches", "1")), TARGET,
        TARGET).eventLimits().concurrentBatches()).isEqualTo(1);
  }

  @Test
  void concurrent_batches_that_are_not_a_whole_number_of_one_or_more_are_refused_naming_the_key() {
    for (String bad : List.of("0", "-1", "four", "2147483648", "1.5")) {
      assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.events.concurrent-batches", bad)))
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("temper.events.concurrent-batches");
    }
  }

  @Test
  void more_concurrent_batches_than_pooled_connections_is_refused_naming_both_keys() {
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.database.pool-size", "2",
        "temper.events.concurrent-batches", "3")))
        .hasMessage("temper.events.concurrent-batches (3) must not exceed temper.database.pool-size (2)");
  }

  @Test
  void a_subscription_setting_out_of_range_stops_startup_naming_the_key() {
    assertThat(ConfigLoader.fromProperties(Map.of()).subscriptions().tailReadGap()).isEqualTo(Duration.ofMillis(20));
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.subscriptions.credit", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.subscriptions.credit must be between 1 and 10000, got 0");
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.subscriptions.tail-read-gap", "2s")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.subscriptions.tail-read-gap must not be longer than temper.subscriptions.poll-interval"
            + " (1000ms), got 2000ms");
  }

  @Test
  void an_address_prefix_with_spaces_is_refused() {
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.bus.prefix", "my store")))
        .hasMessage("temper.bus.prefix must be letters, digits, '.', '-' or '_', got \"my store\"");
  }

  @Test
  void a_malformed_database_url_is_refused_naming_the_key_without_showing_the_password() {
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.database.url", "mysql://app:s3cret@db/x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("temper.database.url (or DATABASE_URL) is not a PostgreSQL URL")
        .hasMessageContaining("its scheme is not postgres:// or postgresql://")
        .message().doesNotContain("s3cret").doesNotContain("mysql://app");
  }

  @Test
  void a_migration_url_with_an_unencoded_at_sign_is_refused_without_any_part_of_its_password() {
    assertThatThrownBy(() -> ConfigLoader.fromProperties(Map.of("temper.database.url", "postgres://app@db/x",
        "temper.database.migration-url", "postgres://owner:Hunter42@Plugh@db/x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("temper.database.migration-url is not a PostgreSQL URL: it has more than one '@'")
        .message().doesNotContain("Hunter42").doesNotContain("Plugh");
  }

  private static ConfigSource env(Map<String, String> variables) {
    return new EnvConfigSource(variables, 300);
  }

}
