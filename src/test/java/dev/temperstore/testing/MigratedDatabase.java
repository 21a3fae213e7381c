package dev.temperstore.testing;

import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.migration.RuntimeGrants;
import io.vertx.core.Vertx;

import java.time.Duration;

/** A fresh test database brought up to date by the pipeline, as its owner. */
public final class MigratedDatabase {

  private MigratedDatabase() {
  }

  public static TestDatabase create(Vertx vertx) {
    return create(vertx, MigrationSettings.defaults());
  }

  public static TestDatabase create(Vertx vertx, MigrationSettings settings) {
    TestDatabase database = TestDatabase.create(vertx);
    MigrationPipeline.standard(settings).run(vertx, database.asOwner(), MigrationListener.NONE)
        .await().atMost(Duration.ofSeconds(60));
    return database;
  }

  /**
   * A login role that is neither owner nor superuser, bypasses no policy, and holds exactly what {@code grant}
   * gives: the SQL of {@code grant --role}, run as the owner, as the command runs it.
   */
  public static String createServingRole(TestDatabase database) {
    String role = database.createRole("LOGIN NOSUPERUSER NOBYPASSRLS");
    try (Sql owner = database.sqlAs(database.owner())) {
      owner.execute(RuntimeGrants.script(database.name(), database.owner(), role));
    }
    return role;
  }
}
