package dev.temperstore.service.cli;

import dev.temperstore.migration.RuntimeGrants;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.JarProcess;
import dev.temperstore.testing.PostgresServer;
import dev.temperstore.testing.Sql;
import dev.temperstore.testing.TestDatabase;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code grant --role} run from the fat jar as the owner, as the README's two-role setup does. */
class GrantCommandIT extends DatabaseTest {

  private static final Duration TIMEOUT = Await.PROCESS_TIMEOUT;

  @TempDir
  Path workDir;

  @Test
  void grant_gives_the_runtime_role_what_serving_needs_and_print_shows_exactly_that_sql() throws Exception {
    String role = database.createRole("LOGIN NOSUPERUSER NOBYPASSRLS");
    Map<String, String> env = Map.of("DATABASE_URL", PostgresServer.url(database.as(role)),
        "TEMPER_DATABASE_MIGRATION_URL", PostgresServer.url(database.asOwner()));

    JarProcess print = JarProcess.start(workDir, env, "grant", "--role", role, "--print");
    assertThat(print.exitCode(TIMEOUT)).as(print.output()).isZero();
    JarProcess grant = JarProcess.start(workDir, env, "grant", "--role", role);
    assertThat(grant.exitCode(TIMEOUT)).as(grant.output()).isZero();

    String script = RuntimeGrants.script(database.name(), database.owner(), role);
    assertThat(print.output() + "\n").isEqualTo(script);
    assertThat(grant.output()).contains("granted: " + role + " can serve " + database.name())
        .doesNotContain(TestDatabase.PASSWORD);
    try (Sql runtime = database.sqlAs(role)) {
      runtime.execute("SELECT * FROM temper_store_read_events('acme', 'Order', 'o-1', 0, 10)");
      assertThatThrownBy(() -> runtime.execute("UPDATE temper_store_migrations SET position = position"))
          .isInstanceOfSatisfying(PgException.class, e -> assertThat(e.getSqlState()).isEqualTo("42501"));
      assertThatThrownBy(() -> runtime.execute("CREATE TABLE sneaky (id int)"))
          .isInstanceOfSatisfying(PgException.class, e -> assertThat(e.getSqlState()).isEqualTo("42501"));
    }
  }

  @Test
  void grant_refuses_a_role_name_that_is_not_a_plain_identifier_and_a_role_that_does_not_exist() throws Exception {
    Map<String, String> env = Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()));

    JarProcess badName = JarProcess.start(workDir, env, "grant", "--role", "app; DROP TABLE events");
    assertThat(badName.exitCode(TIMEOUT)).isEqualTo(ConfigOption.BAD_CONFIG);
    JarProcess missing = JarProcess.start(workDir, env, "grant", "--role", "no_such_role_here");
    assertThat(missing.exitCode(TIMEOUT)).isEqualTo(1);

    assertThat(badName.output()).contains("grant refused: role name \"app; DROP TABLE events\" is not a plain"
        + " identifier");
    assertThat(missing.output()).contains("grant failed, rolled back (nothing changed): role no_such_role_here does"
        + " not exist: create it first");
    assertThat(database.admin().count("SELECT count(*) FROM pg_class WHERE relname = 'events'")).isEqualTo(1);
  }

  @Test
  void grant_before_the_first_migration_says_to_migrate_first_and_changes_nothing() throws Exception {
    TestDatabase fresh = TestDatabase.create(vertx);
    try {
      String role = fresh.createRole("LOGIN NOBYPASSRLS");
      JarProcess grant = JarProcess.start(workDir, Map.of("DATABASE_URL", PostgresServer.url(fresh.asOwner())),
          "grant", "--role", role);

      assertThat(grant.exitCode(TIMEOUT)).isEqualTo(1);
      assertThat(grant.output()).contains("is not migrated yet (no migration ledger): run 'migrate' first");
      assertThat(fresh.admin().count("SELECT count(*) FROM pg_default_acl")).isZero();
    } finally {
      fresh.close();
    }
  }
}
