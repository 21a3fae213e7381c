package dev.temperstore.migration;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Exactly the privileges a runtime role needs to serve the store, as SQL for the owner to run: CONNECT, USAGE on
 * the schema, DML on the tables the store serves from, USAGE on the sequence an append draws from, EXECUTE on the
 * store's functions; nothing on the migration ledger (serving never reads it: migrations run as the owner), and
 * no DDL. It is safe to run again: GRANT and REVOKE of what is already so change nothing.
 *
 * <p>Default privileges cover what a later release adds, for objects the owner creates in the schema: DML on new
 * tables, USAGE on new sequences, EXECUTE on new functions. DML on future tables is deliberate: every table the
 * owner will create there comes from the store's own migration steps, and one the store serves from but the role
 * may not write would fail every request with 500 from the moment of the upgrade. The one table that is not data,
 * the ledger, already exists when these are set ({@link #LEDGER_PRESENT} is checked first), so default
 * privileges never reach it, and the explicit REVOKE keeps it so should a hand-made grant have crept in.
 */
public final class RuntimeGrants {

  /** The schema the migration creates everything in. */
  public static final String SCHEMA = "public";
  /** The tables the store reads and writes while serving; Temper's other tables are not the store's to serve. */
  public static final List<String> SERVED_TABLES = List.of("events", "snapshots", "tenant_secrets",
      "temper_store_subscriptions", "temper_store_subscription_members", "temper_store_streams",
      "temper_store_retention", "temper_store_sweep_queue", "temper_store_audit", "temper_store_purges",
      "temper_store_notices", "temper_store_token_revocations", "temper_store_subject_keys");
  /** {@code events.id} is a BIGSERIAL: an append's INSERT draws from it. */
  public static final List<String> SEQUENCES = List.of("events_id_seq", "temper_store_audit_id_seq",
      "temper_store_purges_id_seq", "temper_store_token_revocations_id_seq");
  /** Every function the stores call; their names are unique, so no argument list is needed. */
  public static final List<String> FUNCTIONS = List.of(
      "temper_store_append", "temper_store_append_one", "temper_store_read_events", "temper_store_list_entities", "temper_store_read_feed",
      "temper_store_feed_guard",
      "temper_store_create_subscription", "temper_store_list_subscriptions", "temper_store_subscription_lag",
      "temper_store_reset_subscription", "temper_store_delete_subscription", "temper_store_save_checkpoint",
      "temper_store_subscriptions_to_deliver", "temper_store_join_subscription", "temper_store_leave_subscription",
      "temper_store_subscription_members", "temper_store_list_subscription_members",
      "temper_store_save_snapshot", "temper_store_load_snapshot",
      "temper_store_put_secret", "temper_store_get_secret", "temper_store_delete_secret",
      "temper_store_list_secrets", "temper_store_secret_tenants_to_rotate", "temper_store_secrets_to_rotate",
      "temper_store_store_rotated_secrets", "temper_store_count_secrets_to_rotate",
      "temper_store_served", "temper_store_change_stream", "temper_store_set_retention",
      "temper_store_clear_retention", "temper_store_list_retention", "temper_store_sweep",
      "temper_store_purge_tables", "temper_store_purge_scope", "temper_store_purge_begin", "temper_store_purge_batch",
      "temper_store_purge_finish", "temper_store_lifecycle_notice", "temper_store_notice_payload",
      "temper_store_notice_metadata", "temper_store_read_feed_notices", "temper_store_create_subscription2",
      "temper_store_list_subscriptions2", "temper_store_subscriptions_to_deliver2",
      "temper_store_revoke_token", "temper_store_revocations_in_force",
      "temper_store_subject_keys", "temper_store_create_subject_key", "temper_store_forget_subject",
      "temper_store_subject_events", "temper_store_subject_keys_to_rewrap", "temper_store_store_rewrapped_key",
      "temper_store_count_subject_keys_to_rewrap", "temper_store_check_subject", "temper_store_subject_guard",
      "temper_store_save_snapshot_personal", "temper_store_load_snapshot_personal",
      "temper_store_snapshot_subject_guard", "temper_store_stream_head");
  /**
   * The functions only an operator role calls (the feed across tenants): not granted to the runtime role, which
   * row-level security confines to one tenant, so the function refuses it anyway.
   */
  public static final List<String> OPERATOR_FUNCTIONS = List.of("temper_store_read_feed_all_tenants",
      "temper_store_read_feed_all_tenants_notices");

  /** A query: true once the first migration has run (the ledger is written at its end). */
  public static final String LEDGER_PRESENT = "SELECT to_regclass('" + SCHEMA + "." + Ledger.TABLE + "') IS NOT NULL";

  /** Lower-case letters, digits and underscores, not starting with a digit: needs no quoting anywhere. */
  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  /** Names with a meaning of their own in GRANT: granting to PUBLIC would grant to every role. */
  private static final Set<String> SPECIAL = Set.of("public", "current_user", "current_role", "session_user",
      "none");

  private RuntimeGrants() {
  }

  /**
   * The statements, in order, that give {@code role} what serving {@code database} needs, run as {@code owner}.
   *
   * @throws IllegalArgumentException when {@code role} is not a plain role name
   */
  public static List<String> statements(String database, String owner, String role) {
    checkRole(role);
    String grantee = quote(role); // quoted all the same: a plain name may still be a keyword, such as "user"
    String tables = String.join(", ", SERVED_TABLES);
    return List.of(
        "GRANT CONNECT ON DATABASE " + quote(database) + " TO " + grantee,
        "GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + grantee,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE " + tables + " TO " + grantee,
        "GRANT USAGE ON SEQUENCE " + String.join(", ", SEQUENCES) + " TO " + grantee,
        "GRANT EXECUTE ON FUNCTION " + String.join(", ", FUNCTIONS) + " TO " + grantee,
        "REVOKE ALL ON TABLE " + Ledger.TABLE + " FROM " + grantee,
        "ALTER DEFAULT PRIVILEGES FOR ROLE " + quote(owner) + " IN SCHEMA " + SCHEMA
            + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + grantee,
        "ALTER DEFAULT PRIVILEGES FOR ROLE " + quote(owner) + " IN SCHEMA " + SCHEMA
            + " GRANT USAGE ON SEQUENCES TO " + grantee,
        "ALTER DEFAULT PRIVILEGES FOR ROLE " + quote(owner) + " IN SCHEMA " + SCHEMA
            + " GRANT EXECUTE ON FUNCTIONS TO " + grantee);
  }

  /**
   * The statements, in order, that let {@code role} read every tenant's feed on {@code database}, run as the owner:
   * CONNECT, USAGE on the schema, SELECT on {@code events}, the lifecycle's
   * tables (what the feed no longer serves), its audit and its notices, EXECUTE on {@link #OPERATOR_FUNCTIONS}; nothing else.
   * The role must also bypass row-level security, which only a superuser can give:
   * {@code ALTER ROLE <role> BYPASSRLS}.
   *
   * @throws IllegalArgumentException when {@code role} is not a plain role name
   */
  public static List<String> operatorStatements(String database, String role) {
    checkRole(role);
    String grantee = quote(role);
    return List.of(
        "GRANT CONNECT ON DATABASE " + quote(database) + " TO " + grantee,
        "GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + grantee,
        "GRANT SELECT ON TABLE events, temper_store_streams, temper_store_retention, temper_store_audit,"
            + " temper_store_notices TO "
            + grantee,
        "GRANT EXECUTE ON FUNCTION " + String.join(", ", OPERATOR_FUNCTIONS) + " TO " + grantee);
  }

  /** The statements as one script, each ending in {@code ;} on its own line: what {@code grant --print} shows. */
  public static String script(String database, String owner, String role) {
    return String.join(";\n", statements(database, owner, role)) + ";\n";
  }

  /** @throws IllegalArgumentException unless {@code role} is a plain, unquoted PostgreSQL role name */
  public static void checkRole(String role) {
    if (role == null || !PLAIN_IDENTIFIER.matcher(role).matches()) {
      throw new IllegalArgumentException("role name \"" + role + "\" is not a plain identifier: use lower-case"
          + " letters, digits and '_', starting with a letter or '_', at most 63 characters");
    }
    if (SPECIAL.contains(role.toLowerCase(Locale.ROOT)) || role.startsWith("pg_")) {
      throw new IllegalArgumentException("role name \"" + role + "\" is reserved by PostgreSQL: name the runtime"
          + " role itself");
    }
  }

  /** A double-quoted identifier, for names taken from a URL (a database or owner may be spelled any way). */
  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
