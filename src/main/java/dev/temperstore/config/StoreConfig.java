package dev.temperstore.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of temper-store, read by SmallRye Config under the prefix {@code temper}.
 *
 * <p>Sources, strongest first: system properties ({@code -Dtemper.database.url=…}), environment variables
 * ({@code TEMPER_DATABASE_URL}), the properties file ({@code conf/application.properties}), the defaults here.
 * {@code conf/application.properties} documents each key; keep the two in step.
 */
@ConfigMapping(prefix = "temper")
public interface StoreConfig {

  Database database();

  Migration migration();

  Embedded embedded();

  interface Database {

    /**
     * {@code postgres://user:password@host:port/database}. Falls back to {@code DATABASE_URL}, as Temper did;
     * when neither is set, the fat jar starts an embedded PostgreSQL.
     */
    @WithDefault("${DATABASE_URL:}")
    Optional<String> url();

    /** How long opening a connection may take. */
    @WithDefault("10s")
    Duration connectTimeout();
  }

  interface Migration {

    /** How long a start waits for another replica that is migrating the same database. */
    @WithDefault("60s")
    Duration lockTimeout();

    /** How long any one migration statement may run. */
    @WithDefault("5m")
    Duration statementTimeout();
  }

  interface Embedded {

    /** Where the embedded PostgreSQL keeps its data; kept across restarts. */
    @WithDefault("data/postgres")
    String dataDir();

    /** Port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free one (logged at start). */
    @WithDefault("0")
    int port();
  }
}
