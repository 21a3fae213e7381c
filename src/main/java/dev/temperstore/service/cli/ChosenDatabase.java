package dev.temperstore.service.cli;

import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.service.embedded.EmbeddedServer;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The database a command works on: the configured one (with its migrating and serving roles), or else an
 * embedded PostgreSQL it starts and stops, where one superuser role does both.
 */
final class ChosenDatabase implements AutoCloseable {

  private final DatabaseTarget migration;
  private final DatabaseTarget serving;
  private final Optional<EmbeddedServer> embedded;

  private ChosenDatabase(DatabaseTarget migration, DatabaseTarget serving, Optional<EmbeddedServer> embedded) {
    this.migration = migration;
    this.serving = serving;
    this.embedded = embedded;
  }

  /** Blocks while an embedded server starts; call from the main thread, never from an event loop. */
  static ChosenDatabase resolve(ServiceConfig config) {
    Duration connectTimeout = config.database().connectTimeout();
    Optional<String> url = config.database().url();
    if (url.isPresent()) {
      DatabaseTarget serving = DatabaseTarget.fromUrl(url.get(), connectTimeout);
      DatabaseTarget migration = config.database().migrationUrl()
          .map(migrationUrl -> DatabaseTarget.fromUrl(migrationUrl, connectTimeout))
          .orElse(serving);
      return new ChosenDatabase(migration, serving, Optional.empty());
    }
    EmbeddedServer server = EmbeddedServer.start(Path.of(config.embedded().dataDir()), config.embedded().port(),
        config.embedded().durable());
    DatabaseTarget target = new DatabaseTarget(server.connectOptions(), connectTimeout);
    return new ChosenDatabase(target, target, Optional.of(server));
  }

  DatabaseTarget migration() {
    return migration;
  }

  DatabaseTarget serving() {
    return serving;
  }

  /**
   * Brings the schema up to date, then runs {@code work} with a pool of the serving role of {@code size}
   * connections, closed after it: what the one-off commands that change data do (purge-tenant, revoke-token). Blocks;
   * call from the main thread.
   */
  <T> T onServingPool(Vertx vertx, ServiceConfig config, int size, Function<Pool, T> work) {
    MigrationPipeline.standard(MigrationSettings.of(config)).run(vertx, migration, MigrationListener.NONE)
        .await().indefinitely();
    Pool pool = serving.pool(vertx, size);
    try {
      return work.apply(pool);
    } finally {
      pool.close().await();
    }
  }

  /** Where the migrating role connects; never includes the password. */
  String describe() {
    return migration.describe() + embedded.map(server -> " (embedded, data in " + server.dataDir() + ")")
        .orElse("");
  }

  @Override
  public void close() {
    embedded.ifPresent(EmbeddedServer::close);
  }
}
