package dev.temperstore.migration;

import dev.temperstore.config.StoreConfig;

import java.time.Duration;

/**
 * Bounds of one pipeline run.
 *
 * @param lockTimeout      how long to wait for a replica that is migrating the same database
 * @param statementTimeout how long any single statement of the run may take
 */
public record MigrationSettings(Duration lockTimeout, Duration statementTimeout) {

  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(5);

  public static MigrationSettings of(StoreConfig.Migration config) {
    return new MigrationSettings(config.lockTimeout(), config.statementTimeout());
  }

  public static MigrationSettings defaults() {
    return new MigrationSettings(DEFAULT_LOCK_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT);
  }
}
