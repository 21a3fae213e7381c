package dev.temperstore.service.config;

import dev.temperstore.config.ConfigException;
import dev.temperstore.config.ConfigLoader;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
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

class ServiceConfigLoaderTest {

  private static final Path SHIPPED_FILE = Path.of("conf", "application.properties");

  @Test
  void defaults_need_no_source_at_all() {
    ServiceConfig config = ServiceConfigLoader.fromProperties(Map.of());

    assertThat(config.database().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.embedded().dataDir()).isEqualTo("data/postgres");
    assertThat(config.embedded().port()).isZero();
    assertThat(config.http().port()).isEqualTo(8081);
    assertThat(config.cluster().enabled()).isFalse();
  }

  @Test
  void the_shipped_file_loads_as_it_is() {
    ServiceConfig config = ServiceConfigLoader.load(Optional.of(SHIPPED_FILE));

    assertThat(config.bridge().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void the_services_keys_come_from_the_stores_sources_the_environment_over_the_file(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, "temper.migration.lock-timeout=7s\ntemper.embedded.port=5999\ntemper.http.port=8082\n");

    ServiceConfig config = ConfigLoader.fromSources(List.of(new PropertiesConfigSource(file.toUri().toURL(), 250),
        new EnvConfigSource(Map.of("TEMPER_HTTP_PORT", "9090"), 300)), ServiceConfig.class);

    assertThat(config.migration().lockTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.embedded().port()).isEqualTo(5999);
    assertThat(config.http().port()).isEqualTo(9090);
  }

  @Test
  void the_stores_keys_are_checked_first_with_the_stores_messages() {
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.database.pool-size", "0",
        "temper.http.port", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.database.pool-size must be at least 1, got 0");
  }

  @Test
  void a_key_that_neither_the_store_nor_the_service_reads_is_refused_naming_it() {
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.someone-else.key", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.someone-else.key in PropertiesConfigSource[source=overrides] does not map to any root");
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.bridge.portt", "7001")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("temper.bridge.portt in ");
  }

  @Test
  void a_bridge_delivery_prefix_overlapping_the_bus_prefix_is_refused_naming_both_keys() {
    ServiceConfig defaults = ServiceConfigLoader.fromProperties(Map.of());

    assertThat(defaults.bridge().deliveryPrefix()).isEqualTo("temper.bridge.delivery");
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.bridge.enabled", "true",
        "temper.bridge.delivery-prefix", "temper.store.in")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.bridge.delivery-prefix \"temper.store.in\" overlaps temper.bus.prefix \"temper.store\":"
            + " bridge clients could register the store's own addresses; choose one outside it");
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.bridge.enabled", "true",
        "temper.bus.prefix", "temper")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("temper.bridge.delivery-prefix");
    assertThat(ServiceConfigLoader.fromProperties(Map.of("temper.bus.prefix", "temper")).bus().prefix())
        .isEqualTo("temper"); // no bridge: no overlap to fear
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.bridge.delivery-prefix", "out.")))
        .isInstanceOf(ConfigException.class).hasMessage("temper.bridge.delivery-prefix must be an address that"
            + " neither starts nor ends with '.', got \"out.\"");
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of(
        "temper.bridge.max-deliveries-per-connection", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.bridge.max-deliveries-per-connection must be at least 1, got 0");
  }

  @Test
  void an_out_of_range_port_is_refused_naming_the_key() {
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.embedded.port", "70000")))
        .hasMessage("temper.embedded.port must be between 0 and 65535, got 70000");
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.http.port", "-1")))
        .hasMessage("temper.http.port must be between 0 and 65535, got -1");
  }

  @Test
  void a_short_jwt_secret_is_refused_by_the_service_naming_the_key() {
    assertThatThrownBy(() -> ServiceConfigLoader.fromProperties(Map.of("temper.bridge.auth.jwt-secret", "short")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("temper.bridge.auth.jwt-secret must be at least 32 bytes, got 5 (e.g. openssl rand -base64 32)");
  }
}
