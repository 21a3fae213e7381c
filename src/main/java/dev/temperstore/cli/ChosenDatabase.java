package dev.temperstore.cli;

import dev.temperstore.config.StoreConfig;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.postgres.EmbeddedServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The database a command works on: the configured one, or else an embedded PostgreSQL it starts and stops. */
final class ChosenDatabase implements AutoCloseable {

  private final DatabaseTarget target;
  private final Optional<EmbeddedServer> embedded;

  private ChosenDatabase(DatabaseTarget target, Optional<EmbeddedServer> embedded) {
    this.target = target;
    this.embedded = embedded;
  }

  /** Blocks while an embedded server starts; call from the main thread, never from an event loop. */
  static ChosenDatabase resolve(StoreConfig config) {
    Duration connectTimeout = config.database().connectTimeout();
    Optional<String> url = config.database().url();
    if (url.isPresent()) {
      return new ChosenDatabase(DatabaseTarget.fromUrl(url.get(), connectTimeout), Optional.empty());
    }
    EmbeddedServer server = EmbeddedServer.start(Path.of(config.embedded().dataDir()), config.embedded().port());
    return new ChosenDatabase(new DatabaseTarget(server.connectOptions(), connectTimeout), Optional.of(server));
  }

  DatabaseTarget target() {
    return target;
  }

  String describe() {
    return target.describe() + embedded.map(server -> " (embedded, data in " + server.dataDir() + ")")
        .orElse("");
  }

  @Override
  public void close() {
    embedded.ifPresent(EmbeddedServer::close);
  }
}
