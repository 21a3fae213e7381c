package dev.temperstore.postgres;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where to connect, and how long a connection attempt may take.
 *
 * @param options        host, port, database, user and password
 * @param connectTimeout bound on opening one connection (Vert.x's default is a full minute)
 */
public record DatabaseTarget(PgConnectOptions options, Duration connectTimeout) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  public DatabaseTarget {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
  }

  /** Parses a {@code postgres://} URL; see {@link DatabaseUrl#parse(String)}. */
  public static DatabaseTarget fromUrl(String url, Duration connectTimeout) {
    return new DatabaseTarget(DatabaseUrl.parse(url), connectTimeout);
  }

  private static final AtomicInteger POOLS = new AtomicInteger();

  /** A pool of at most {@code maxSize} connections; closing it closes them all. */
  public Pool pool(Vertx vertx, int maxSize) {
    return pool(vertx, options, new PoolOptions().setMaxSize(maxSize));
  }

  /**
   * The serving pool: prepared statements cached, every statement bounded by {@code statementTimeout}
   * (sent as PostgreSQL's statement_timeout when connecting), and waiting for a connection bounded too.
   */
  public Pool pool(Vertx vertx, int maxSize, Duration statementTimeout) {
    PgConnectOptions serving = new PgConnectOptions(options)
        .setCachePreparedStatements(true)
        .addProperty("statement_timeout", Long.toString(statementTimeout.toMillis()));
    return pool(vertx, serving, new PoolOptions().setMaxSize(maxSize)
        .setConnectionTimeout((int) statementTimeout.toMillis()).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS));
  }

  private Pool pool(Vertx vertx, PgConnectOptions connect, PoolOptions pooling) {
    return PgBuilder.pool()
        // Each pool its own name: pools share Vert.x's default one, and their metrics would collide.
        .with(pooling.setName("temper-store-pool-" + POOLS.incrementAndGet()))
        .with(new NetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /** Fit for logs: never includes the password. */
  public String describe() {
    return DatabaseUrl.describe(options);
  }
}
