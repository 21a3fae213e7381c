package dev.temperstore.service.cli;

import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.migration.RuntimeGrants;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.postgres.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Gives a runtime role exactly what serving needs ({@link RuntimeGrants}), as the owner that migrates. */
@Command(name = "grant", mixinStandardHelpOptions = true,
    description = {
        "Give a runtime role exactly what serving needs, and no more: CONNECT, USAGE on the schema, DML on the "
            + "store's tables, the events sequence, EXECUTE on the store's functions, default privileges for "
            + "what later releases add; nothing on the migration ledger, no DDL.",
        "Runs as the migrating role (temper.database.migration-url, else temper.database.url), in one "
            + "transaction, after 'migrate'. Safe to run again, e.g. after each upgrade.",
        "Exit codes: 0 when granted (or printed), 1 when the database refused, 2 on bad configuration or role name."})
public final class GrantCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Option(names = "--role", required = true, paramLabel = "NAME",
      description = "The runtime role (it must exist): a plain name, lower-case letters, digits and '_'.")
  String role;

  @Option(names = "--print", description = "Print the SQL for review instead of running it; connects to nothing.")
  boolean print;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    try {
      RuntimeGrants.checkRole(role);
    } catch (IllegalArgumentException e) {
      System.err.println("grant refused: " + e.getMessage());
      return ConfigOption.BAD_CONFIG;
    }
    Optional<ServiceConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return ConfigOption.BAD_CONFIG;
    }
    if (print) {
      Optional<String> url = loaded.get().database().migrationUrl().or(() -> loaded.get().database().url());
      if (url.isEmpty()) {
        System.err.println("configuration error: grant --print names the database and owner of"
            + " temper.database.migration-url (or temper.database.url, DATABASE_URL): set one");
        return ConfigOption.BAD_CONFIG;
      }
      var options = DatabaseUrl.parse(url.get());
      out.print(RuntimeGrants.script(options.getDatabase(), options.getUser(), role));
      return 0;
    }
    Vertx vertx = Vertx.vertx();
    try (ChosenDatabase database = ChosenDatabase.resolve(loaded.get())) {
      DatabaseTarget owner = database.migration();
      out.println("granting " + role + " what serving needs, as " + database.describe());
      List<String> notes = grant(vertx, owner).await(); // bounded by the connect timeout and the statements
      RuntimeGrants.statements(owner.options().getDatabase(), owner.options().getUser(), role)
          .forEach(statement -> out.println("  " + statement));
      notes.forEach(note -> out.println("note: " + note));
      out.println("granted: " + role + " can serve " + owner.options().getDatabase());
      return 0;
    } catch (RuntimeException e) {
      out.println("grant failed, rolled back (nothing changed): " + e.getMessage());
      return 1;
    } finally {
      vertx.close().await();
    }
  }

  /** Checks, grants and re-checks in one transaction; emits notes worth the operator's attention. */
  private Future<List<String>> grant(Vertx vertx, DatabaseTarget owner) {
    Pool pool = owner.pool(vertx, 1);
    String database = owner.options().getDatabase();
    return pool.withTransaction(connection -> connection.query(RuntimeGrants.LEDGER_PRESENT).execute()
        .compose(rows -> rows.iterator().next().getBoolean(0) ? Future.succeededFuture()
            : Future.failedFuture(new IllegalStateException("database " + database + " is not migrated yet (no "
                + "migration ledger): run 'migrate' first, then 'grant'")))
        .compose(migrated -> roleAttributes(connection))
        .compose(attributes -> run(connection, RuntimeGrants.statements(database, owner.options().getUser(), role))
            .map(done -> attributes))
        .compose(attributes -> connection.preparedQuery("SELECT has_schema_privilege($1, $2, 'CREATE')")
            .execute(Tuple.of(role, RuntimeGrants.SCHEMA))
            .map(rows -> notes(attributes, rows.iterator().next().getBoolean(0)))))
        .eventually(pool::close);
  }

  private Future<Row> roleAttributes(SqlConnection connection) {
    return connection.preparedQuery("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1")
        .execute(Tuple.of(role))
        .compose(rows -> rows.size() == 1 ? Future.succeededFuture(rows.iterator().next())
            : Future.failedFuture(new IllegalStateException("role " + role + " does not exist: create it first,"
                + " e.g. CREATE ROLE " + role + " LOGIN NOBYPASSRLS PASSWORD '...'")));
  }

  private static Future<Void> run(SqlConnection connection, List<String> statements) {
    Future<Void> done = Future.succeededFuture();
    for (String statement : statements) {
      done = done.compose(previous -> connection.query(statement).execute()).mapEmpty();
    }
    return done;
  }

  private List<String> notes(Row attributes, boolean mayCreate) {
    List<String> notes = new ArrayList<>();
    if (attributes.getBoolean("rolsuper") || attributes.getBoolean("rolbypassrls")) {
      notes.add(role + " is a superuser or has BYPASSRLS: row-level security will not apply to it"
          + " (ALTER ROLE " + role + " NOSUPERUSER NOBYPASSRLS)");
    }
    if (mayCreate) {
      notes.add(role + " may still create tables in schema " + RuntimeGrants.SCHEMA + ", through PUBLIC (the"
          + " default before PostgreSQL 15) or a grant of its own: REVOKE CREATE ON SCHEMA " + RuntimeGrants.SCHEMA
          + " FROM PUBLIC, " + role + " (as the schema's owner)");
    }
    return notes;
  }
}
