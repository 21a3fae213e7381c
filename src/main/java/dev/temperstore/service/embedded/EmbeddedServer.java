package dev.temperstore.service.embedded;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real PostgreSQL (zonky's packaged binaries) for running the service with no database configured.
 * Its data folder is kept across restarts; it is initialised only when it holds no cluster yet.
 *
 * <p>One service owns a data folder at a time: a lock file beside it ({@code <folder>.lock}) is held for the life
 * of the server, and a second service is refused with a message naming the folder. A PostgreSQL left running by a
 * service that was killed ({@code kill -9} leaves its postmaster behind) is stopped before the start, rather than
 * waited on until the start gives up.
 */
public final class EmbeddedServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);
  private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(30);

  private final EmbeddedPostgres postgres;
  private final Path dataDir;
  private final FileChannel lock;

  private EmbeddedServer(EmbeddedPostgres postgres, Path dataDir, FileChannel lock) {
    this.postgres = postgres;
    this.dataDir = dataDir;
    this.lock = lock;
  }

  /**
   * Starts (blocking, a few seconds) on 127.0.0.1:{@code port}, or a free port when it is 0. {@code durable}
   * keeps PostgreSQL's own fsync and synchronous commit; without it both are off: faster, and a machine crash
   * loses the last commits, for throw-away data only.
   *
   * @throws EmbeddedServerFailed naming the folder when it cannot start
   */
  public static EmbeddedServer start(Path dataDir, int port, boolean durable) {
    Path absolute = dataDir.toAbsolutePath().normalize();
    FileChannel lock = lockFolder(absolute);
    try {
      boolean existing = Files.isRegularFile(absolute.resolve("postgresql.conf"));
      Files.createDirectories(absolute);
      stopOrphan(absolute);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(absolute)
          .setCleanDataDirectory(false)
          // zonky starts the postmaster with fsync and synchronous commit off; a later -c setting wins.
          .setServerConfig("fsync", durable ? "on" : "off")
          .setServerConfig("synchronous_commit", durable ? "on" : "off")
          .setServerConfig("full_page_writes", durable ? "on" : "off")
          // We stop it ourselves, after the verticles, so that in-flight work can finish.
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60));
      if (port != 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      LOG.info("embedded PostgreSQL listening on 127.0.0.1:{}, data in {} ({}, {})", postgres.getPort(), absolute,
          existing ? "existing data kept" : "new cluster", durable ? "durable" : "fsync off: throw-away data");
      return new EmbeddedServer(postgres, absolute, lock);
    } catch (IOException | RuntimeException e) {
      close(lock);
      if (e instanceof EmbeddedServerFailed failed) {
        throw failed;
      }
      throw new EmbeddedServerFailed("failed to start the embedded PostgreSQL in " + absolute
          + " (temper.embedded.data-dir)" + (port == 0 ? "" : " on port " + port + " (temper.embedded.port)") + ": "
          + e.getMessage(), e);
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
    } finally {
      close(lock);
    }
  }

  /** The lock file beside the folder: the folder itself must stay empty until initdb has run in it. */
  private static FileChannel lockFolder(Path dataDir) {
    Path lockFile = dataDir.resolveSibling(dataDir.getFileName() + ".lock");
    try {
      Files.createDirectories(dataDir.getParent());
      FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock held;
      try {
        held = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        held = null;
      }
      if (held == null) {
        channel.close();
        throw new EmbeddedServerFailed("another temper-store is using the embedded PostgreSQL data folder " + dataDir
            + " (temper.embedded.data-dir): stop it, or give this one another folder");
      }
      return channel;
    } catch (IOException e) {
      throw new EmbeddedServerFailed("cannot lock the embedded PostgreSQL data folder " + dataDir + " ("
          + lockFile + "): " + e.getMessage(), e);
    }
  }

  /**
   * Stops a postmaster that a killed service left running on this folder. We hold the folder's lock, so no live
   * service owns it; a pid file naming a live postgres process is such an orphan.
   */
  private static void stopOrphan(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    Optional<ProcessHandle> orphan = lines.isEmpty() ? Optional.empty() : parsePid(lines.get(0))
        .flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(process -> process.info().command().map(command -> command.contains("postgres")).orElse(false));
    if (orphan.isEmpty()) {
      return; // a stale pid file alone: PostgreSQL itself sees that its process is gone
    }
    ProcessHandle process = orphan.get();
    LOG.warn("a PostgreSQL (pid {}) left running by an earlier run holds {}: stopping it", process.pid(), dataDir);
    process.destroy(); // SIGTERM: PostgreSQL's smart shutdown; its clients died with the earlier run
    try {
      process.onExit().get(ORPHAN_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("stopped the PostgreSQL (pid {}) left by the earlier run", process.pid());
    } catch (TimeoutException e) {
      LOG.warn("the PostgreSQL (pid {}) did not stop within {} s: killing it; it recovers from its WAL on start",
          process.pid(), ORPHAN_STOP_TIMEOUT.toSeconds());
      process.destroyForcibly();
      process.onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerFailed("interrupted while stopping the PostgreSQL left in " + dataDir, e);
    } catch (ExecutionException e) {
      throw new EmbeddedServerFailed("could not stop the PostgreSQL left in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Long> parsePid(String line) {
    try {
      return Optional.of(Long.parseLong(line.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void close(FileChannel lock) {
    try {
      lock.close();
    } catch (IOException e) {
      LOG.debug("closing the data folder's lock: {}", e.getMessage());
    }
  }

  /** The embedded server could not start; the message names the data folder and the cause. */
  public static final class EmbeddedServerFailed extends RuntimeException {
    EmbeddedServerFailed(String message) {
      super(message);
    }

    EmbeddedServerFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
