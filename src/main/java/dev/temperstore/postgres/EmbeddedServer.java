package dev.temperstore.postgres;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL (zonky's packaged binaries) for running the service with no database configured.
 * Its data folder is kept across restarts; it is initialised only when it holds no cluster yet.
 */
public final class EmbeddedServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDir;

  private EmbeddedServer(EmbeddedPostgres postgres, Path dataDir) {
    this.postgres = postgres;
    this.dataDir = dataDir;
  }

  /** Starts (blocking, a few seconds) on 127.0.0.1:{@code port}, or a free port when it is 0. */
  public static EmbeddedServer start(Path dataDir, int port) {
    Path absolute = dataDir.toAbsolutePath().normalize();
    boolean existing = Files.isRegularFile(absolute.resolve("postgresql.conf"));
    try {
      Files.createDirectories(absolute);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(absolute)
          .setCleanDataDirectory(false)
          // We stop it ourselves, after the verticles, so that in-flight work can finish.
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60));
      if (port != 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      LOG.info("embedded PostgreSQL listening on 127.0.0.1:{}, data in {} ({})", postgres.getPort(), absolute,
          existing ? "existing data kept" : "new cluster");
      return new EmbeddedServer(postgres, absolute);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to start embedded PostgreSQL in " + absolute + ": " + e.getMessage(), e);
    }
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions()
        .setHost("localhost")
        .setPort(postgres.getPort())
        .setUser("postgres")
        .setDatabase("postgres");
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }
}
