package dev.temperstore.migration;

import java.time.Duration;
import java.util.List;

/**
 * What one committed pipeline run did.
 *
 * @param applied        labels of the steps this run applied, in order
 * @param alreadyApplied how many steps the ledger already held
 * @param took           wall time of the whole run, connection and lock wait included
 */
public record MigrationReport(List<String> applied, int alreadyApplied, Duration took) {

  public MigrationReport {
    applied = List.copyOf(applied);
  }
}
