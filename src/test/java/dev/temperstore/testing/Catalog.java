package dev.temperstore.testing;

import java.util.List;

/** What a database's catalog says about its schema, for asserting on database state rather than replies. */
public final class Catalog {

  private final Sql sql;

  public Catalog(Sql sql) {
    this.sql = sql;
  }

  public List<String> tables() {
    return sql.strings("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1");
  }

  public List<String> indexes() {
    return sql.strings("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
  }

  public List<String> tablesWithRowLevelSecurity() {
    return sql.strings("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity ORDER BY 1");
  }

  /** {@code table:policy} for every policy, so duplicates would show. */
  public List<String> policies() {
    return sql.strings("SELECT tablename || ':' || policyname FROM pg_policies WHERE schemaname = 'public'"
        + " ORDER BY 1");
  }

  public List<String> ledgerLabels() {
    return sql.strings("SELECT label FROM temper_store_migrations ORDER BY position");
  }

  /** Every ledger row as text, applied_at included, to show that nothing was rewritten. */
  public List<String> ledgerRows() {
    return sql.strings("SELECT label || '|' || position || '|' || checksum || '|' || applied_at"
        + " FROM temper_store_migrations ORDER BY position");
  }

  public boolean ledgerExists() {
    return sql.rows("SELECT to_regclass('public.temper_store_migrations') IS NOT NULL").get(0).getBoolean(0);
  }
}
