package dev.temperstore.service.cli;

import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.Schema;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.Catalog;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.JarProcess;
import dev.temperstore.testing.PostgresServer;
import dev.temperstore.testing.TestDatabase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class MigrateCommandIT extends DatabaseTest {

  private static final int STEPS = Schema.steps().size();
  private static final Duration TIMEOUT = Await.PROCESS_TIMEOUT;
  private static final Pattern SUMMARY = Pattern.compile("schema up to date: applied (\\d+) steps, (\\d+) already applied");

  @TempDir
  Path workDir;

  @Test
  void migrate_prints_each_step_and_its_outcome_exits_zero_and_a_second_run_finds_nothing_to_do() throws Exception {
    Map<String, String> env = Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()));

    JarProcess first = JarProcess.start(workDir, env, "migrate");
    assertThat(first.exitCode(TIMEOUT)).as(first.output()).isZero();
    JarProcess second = JarProcess.start(workDir, env, "migrate");
    assertThat(second.exitCode(TIMEOUT)).as(second.output()).isZero();

    for (var step : Schema.steps()) {
      assertThat(first.output()).containsPattern("applied +" + Pattern.quote(step.label()) + " +\\d+ ms");
    }
    assertThat(first.output()).contains("schema up to date: applied " + STEPS + " steps, 0 already applied");
    assertThat(second.output()).contains("0 steps to apply, " + STEPS + " already applied")
        .contains("schema up to date: applied 0 steps, " + STEPS + " already applied");
    assertThat(new Catalog(database.admin()).ledgerLabels()).hasSize(STEPS);
  }

  @Test
  void two_processes_migrating_one_fresh_database_at_once_both_succeed_and_apply_each_step_once() throws Exception {
    Map<String, String> env = Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()));
    // Hold the migration lock so that both processes are surely inside the race before either may proceed.
    Pool holderPool = database.asSuperuser().pool(vertx, 1);
    SqlConnection holder = holderPool.getConnection().await();
    holder.query("BEGIN").execute().await();
    holder.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(MigrationPipeline.LOCK_KEY)).await();

    try (JarProcess one = JarProcess.start(workDir, env, "migrate");
         JarProcess two = JarProcess.start(workDir, env, "migrate")) {
      one.awaitLine(line -> line.contains("waiting for another instance"), TIMEOUT);
      two.awaitLine(line -> line.contains("waiting for another instance"), TIMEOUT);
      holder.query("COMMIT").execute().await();

      assertThat(one.exitCode(TIMEOUT)).as(one.output()).isZero();
      assertThat(two.exitCode(TIMEOUT)).as(two.output()).isZero();
      assertThat(applied(one.output()) + applied(two.output())).isEqualTo(STEPS);
      assertThat(new Catalog(database.admin()).ledgerLabels()).hasSize(STEPS).doesNotHaveDuplicates();
    } finally {
      holderPool.close().await();
    }
  }

  @Test
  void a_failing_step_exits_non_zero_with_the_steps_error_and_changes_nothing() throws Exception {
    database.admin().execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    String reader = database.createRole("LOGIN NOSUPERUSER");

    JarProcess migrate = JarProcess.start(workDir, Map.of("DATABASE_URL", PostgresServer.url(database.as(reader))),
        "migrate");

    assertThat(migrate.exitCode(TIMEOUT)).isEqualTo(1);
    assertThat(migrate.output())
        .contains("FAILED   events table")
        .containsPattern("migration failed, rolled back \\(nothing changed\\): failed to create events table: "
            + ".*permission denied for schema public");
    assertThat(new Catalog(database.admin()).tables()).isEmpty();
  }

  @Test
  void the_database_password_never_appears_in_the_output_of_a_success_or_a_failure() throws Exception {
    String url = PostgresServer.url(database.asOwner());
    assertThat(url).contains(TestDatabase.PASSWORD);

    JarProcess success = JarProcess.start(workDir, Map.of("DATABASE_URL", url), "migrate");
    assertThat(success.exitCode(TIMEOUT)).isZero();
    JarProcess failure = JarProcess.start(workDir,
        Map.of("DATABASE_URL", url.replace("/" + database.name(), "/no_such_database")), "migrate");
    assertThat(failure.exitCode(TIMEOUT)).isEqualTo(1);

    assertThat(success.output()).contains("migrating postgres://" + database.owner() + "@")
        .doesNotContain(TestDatabase.PASSWORD);
    assertThat(failure.output()).contains("failed to connect to").doesNotContain(TestDatabase.PASSWORD);
  }

  @Test
  void bad_configuration_exits_2_with_one_line_naming_the_key() throws Exception {
    JarProcess migrate = JarProcess.start(workDir, Map.of("TEMPER_MIGRATION_LOCK_TIMEOUT", "whenever"), "migrate");

    assertThat(migrate.exitCode(TIMEOUT)).isEqualTo(2);
    assertThat(migrate.output().lines().toList()).singleElement().asString()
        .startsWith("configuration error: ")
        .contains("temper.migration.lock-timeout");
  }

  @Test
  void help_explains_serve_and_migrate() throws Exception {
    JarProcess help = JarProcess.start(workDir, Map.of(), "--help");

    assertThat(help.exitCode(TIMEOUT)).isZero();
    assertThat(help.output()).contains("serve", "migrate", "embedded PostgreSQL");
  }

  private static int applied(String output) {
    Matcher matcher = SUMMARY.matcher(output);
    assertThat(matcher.find()).as(output).isTrue();
    return Integer.parseInt(matcher.group(1));
  }

  @Override
  protected boolean migrated() {
    return false;
  }
}
