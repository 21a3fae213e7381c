package dev.temperstore.service.bench;

import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.secrets.KeyRing;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;

import java.util.UUID;

/**
 * A database of its own for one benchmark run, created on the target's server by the target's role (which needs
 * CREATEDB) and dropped afterwards, so runs never measure each other's leftovers.
 */
public final class BenchDatabase implements AutoCloseable {

  private final Vertx vertx;
  private final DatabaseTarget server;
  private final String name;
  private KeyRing throwAwayKeys;

  private BenchDatabase(Vertx vertx, DatabaseTarget server, String name) {
    this.vertx = vertx;
    this.server = server;
    this.name = name;
  }

  /** Blocks; call from a thread that is not an event loop. */
  public static BenchDatabase create(Vertx vertx, DatabaseTarget server) {
    String name = "temper_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    execute(vertx, server, "CREATE DATABASE " + name);
    return new BenchDatabase(vertx, server, name);
  }

  public String name() {
    return name;
  }

  public DatabaseTarget target() {
    return new DatabaseTarget(new PgConnectOptions(server.options()).setDatabase(name), server.connectTimeout());
  }

  /**
   * A master key made for this database alone, for a store deployed on it without one configured: the same for every
   * deployment on it (the lab's interleaved slices deploy the store again and again on one database, and what one
   * sealed the next must open), and gone with the database.
   */
  public synchronized KeyRing throwAwayKeys() {
    if (throwAwayKeys == null) {
      throwAwayKeys = KeyRing.ephemeral();
    }
    return throwAwayKeys;
  }

  /** Runs {@code sql} (one or more statements, no parameters) in this database; blocks. */
  public void execute(String sql) {
    execute(vertx, target(), sql);
  }

  @Override
  public void close() {
    execute(vertx, server, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static void execute(Vertx vertx, DatabaseTarget server, String sql) {
    Pool pool = server.pool(vertx, 1);
    try {
      pool.query(sql).execute().await();
    } finally {
      pool.close().await();
    }
  }
}
