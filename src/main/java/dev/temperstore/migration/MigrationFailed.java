package dev.temperstore.migration;

import java.util.Optional;

/**
 * The pipeline could not bring the schema up to date. The message names what failed and why
 * ({@code failed to create tenant_secrets table: <database error>}); the database error stays as the cause.
 * Nothing was changed: the whole run is one transaction.
 */
public final class MigrationFailed extends RuntimeException {

  private final String step;

  public MigrationFailed(String step, String message, Throwable cause) {
    // An expected, fully described failure: a stack trace would only bury the message.
    super(message, cause, false, false);
    this.step = step;
  }

  /** The label of the step that failed; empty when the failure was around the steps (connection, lock, ledger). */
  public Optional<String> step() {
    return Optional.ofNullable(step);
  }
}
