package dev.temperstore.testing;

import dev.temperstore.postgres.DatabaseTarget;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** Blocking SQL for test set-up and for checking database state; never used on an event loop. */
public final class Sql implements AutoCloseable {

  private final Pool pool;

  public Sql(Vertx vertx, DatabaseTarget target) {
    this.pool = target.pool(vertx, 2);
  }

  /** Runs one or more statements with the simple protocol. */
  public void execute(String sql) {
    pool.query(sql).execute().await();
  }

  public List<Row> rows(String sql, Object... params) {
    List<Row> rows = new ArrayList<>();
    pool.preparedQuery(sql).execute(Tuple.from(params)).await().forEach(rows::add);
    return rows;
  }

  public long count(String sql, Object... params) {
    return rows(sql, params).get(0).getLong(0);
  }

  public List<String> strings(String sql, Object... params) {
    return rows(sql, params).stream().map(row -> row.getString(0)).toList();
  }

  @Override
  public void close() {
    pool.close().await();
  }
}
