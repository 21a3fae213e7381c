package dev.temperstore.migration;

import java.time.Duration;

/** Progress of one pipeline run, for whoever shows it (the {@code migrate} command prints it). */
public interface MigrationListener {

  MigrationListener NONE = new MigrationListener() {
  };

  /** Another process holds the migration lock; this run waits for it. */
  default void waitingForLock() {
  }

  /** The ledger was read: {@code pending} steps will be applied, {@code alreadyApplied} are skipped. */
  default void planned(int pending, int alreadyApplied) {
  }

  /** A step ran successfully; it becomes durable when the whole run commits. */
  default void stepApplied(MigrationStep step, Duration took) {
  }

  /** A step failed; the run rolls back. */
  default void stepFailed(MigrationStep step, MigrationFailed failure) {
  }
}
