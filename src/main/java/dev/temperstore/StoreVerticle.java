package dev.temperstore;

import dev.temperstore.config.ConfigLoader;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationReport;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.reactive.Reactive;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Optional;

/**
 * The store as a verticle: on start it brings the schema up to date, and only then serves.
 *
 * <p>Deploy as many instances as you like, in one JVM or many: the migration pipeline serialises them on a
 * PostgreSQL advisory lock, so exactly one applies each step. A failing step fails the deployment with the
 * step's message ({@code failed to create <label>: <database error>}) and nothing is left registered.
 */
public final class StoreVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private final DatabaseTarget database;
  private final MigrationPipeline pipeline;
  private volatile MigrationReport migrationReport;

  /** Configured by SmallRye Config from the system properties, the environment and {@code conf/}. */
  public StoreVerticle() {
    this(ConfigLoader.load(Optional.empty()));
  }

  /** Configured by {@code config}; its database URL (or {@code DATABASE_URL}) must be set. */
  public StoreVerticle(StoreConfig config) {
    this(config.database().url()
            .map(url -> DatabaseTarget.fromUrl(url, config.database().connectTimeout()))
            .orElse(null),
        MigrationPipeline.standard(
            MigrationSettings.of(config.migration())));
  }

  /** Serves {@code database}, after {@code pipeline} has brought it up to date. */
  public StoreVerticle(DatabaseTarget database, MigrationPipeline pipeline) {
    this.database = database;
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
  }

  @Override
  public Future<?> start() {
    return Reactive.future(startUp(), context);
  }

  /** What the start's migration did; empty until the start has completed. */
  public Optional<MigrationReport> migrationReport() {
    return Optional.ofNullable(migrationReport);
  }

  private Uni<Void> startUp() {
    if (database == null) {
      return Uni.createFrom().failure(new IllegalStateException(
          "no database configured: set temper.database.url (TEMPER_DATABASE_URL) or DATABASE_URL"));
    }
    return pipeline.run(vertx, database, MigrationListener.NONE)
        .invoke(report -> migrationReport = report)
        .invoke(report -> LOG.info("store ready on {}", database.describe()))
        .replaceWithVoid();
  }
}
