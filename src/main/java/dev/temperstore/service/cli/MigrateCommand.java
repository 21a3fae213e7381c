package dev.temperstore.service.cli;

import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.migration.MigrationFailed;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationReport;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.migration.MigrationStep;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Runs the migration pipeline once, printing each step and its outcome. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {
        "Bring the database schema up to date and exit.",
        "Prints each step applied; the whole run is one transaction, so a failure changes nothing.",
        "Exit codes: 0 when the schema is up to date, 1 when a step fails, 2 on bad configuration."})
public final class MigrateCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() {
    Optional<ServiceConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return ConfigOption.BAD_CONFIG;
    }
    PrintStream out = System.out;
    MigrationPipeline pipeline = MigrationPipeline.standard(MigrationSettings.of(loaded.get()));
    Vertx vertx = Vertx.vertx();
    try (ChosenDatabase database = ChosenDatabase.resolve(loaded.get())) {
      out.println("migrating " + database.describe());
      MigrationReport report = pipeline.run(vertx, database.migration(), new Printer(out))
          .await().indefinitely(); // bounded by the connect, lock and statement timeouts
      out.printf("schema up to date: applied %d steps, %d already applied, in %d ms%n",
          report.applied().size(), report.alreadyApplied(), report.took().toMillis());
      return 0;
    } catch (MigrationFailed e) {
      out.println("migration failed, rolled back (nothing changed): " + e.getMessage());
      return 1;
    } finally {
      vertx.close().await();
    }
  }

  /** One line per event, as it happens. */
  private record Printer(PrintStream out) implements MigrationListener {

    @Override
    public void waitingForLock() {
      out.println("  waiting for another instance that is migrating this database");
    }

    @Override
    public void planned(int pending, int alreadyApplied) {
      out.printf("  %d steps to apply, %d already applied%n", pending, alreadyApplied);
    }

    @Override
    public void stepApplied(MigrationStep step, Duration took) {
      out.printf("  applied  %-40s %5d ms%n", step.label(), took.toMillis());
    }

    @Override
    public void stepFailed(MigrationStep step, MigrationFailed failure) {
      out.printf("  FAILED   %s%n", step.label());
    }
  }
}
