package dev.temperstore.migration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One named schema change: the unit the pipeline applies, the ledger records and a failure names.
 *
 * @param label    stable name, the ledger's key (Temper's labels, e.g. {@code "events table"}); never reused
 * @param action   what failure messages say was being done: {@code "failed to <action>: <cause>"}
 * @param sql      one or more statements, sent with the simple query protocol
 * @param checksum SHA-256 of the SQL (line endings normalised), so a released step that changes is refused
 */
public record MigrationStep(String label, String action, String sql, String checksum) {

  public MigrationStep {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(checksum, "checksum");
  }

  /** A step whose failure reads {@code failed to create <label>: <cause>}, as in Temper's label loop. */
  public static MigrationStep create(String label, String sql) {
    return of(label, "create " + label, sql);
  }

  /**
   * Row-level security and the {@code tenant_isolation} policy on one table, as Temper's
   * {@code ENABLE_TENANT_RLS}: enabling is a no-op when already on, and the policy is created only if missing,
   * so databases that Temper's runner secured are adopted unchanged.
   */
  public static MigrationStep enableTenantRls(String table) {
    String sql = """
        ALTER TABLE %1$s ENABLE ROW LEVEL SECURITY;
        DO $$
        BEGIN
          IF NOT EXISTS (
            SELECT 1 FROM pg_policies
             WHERE schemaname = current_schema() AND tablename = '%1$s' AND policyname = 'tenant_isolation'
          ) THEN
            EXECUTE 'CREATE POLICY tenant_isolation ON %1$s USING (tenant = current_setting(''app.current_tenant'', true))';
          END IF;
        END
        $$""".formatted(table);
    return of("tenant RLS on " + table, "enable tenant RLS on " + table, sql);
  }

  static MigrationStep of(String label, String action, String sql) {
    String normalised = sql.replace("\r\n", "\n").strip();
    return new MigrationStep(label, action, normalised, sha256(normalised));
  }

  /** The message a failure of this step carries, with the database's own error text as the cause. */
  public String failureMessage(Throwable cause) {
    return "failed to " + action + ": " + cause.getMessage();
  }

  private static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
