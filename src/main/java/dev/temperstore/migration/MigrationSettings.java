package dev.temperstore.migration;

import dev.temperstore.config.StoreConfig;

import java.time.Duration;

/**
 * Bounds of one pipeline run.
 *
 * @param lockTimeout      how long to wait for a replica that is migrating the same database
 * @param statementTimeout how long any single statement of the run may take
 * @param forceRowLevelSecurity whether the tenant tables' owner is subject to their policies as well
 */
public record MigrationSettings(Duration lockTimeout, Duration statementTimeout, boolean forceRowLevelSecurity) {

  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(5);

  public static MigrationSettings of(StoreConfig config) {
    return new MigrationSettings(config.migration().lockTimeout(), config.migration().statementTimeout(),
        config.tenancy().forceRowLevelSecurity());
  }

  public static MigrationSettings defaults() {
    return new MigrationSettings(DEFAULT_LOCK_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, false);
  }

  public MigrationSettings withForceRowLevelSecurity(boolean force) {
    return new MigrationSettings(lockTimeout, statementTimeout, force);
  }
}
