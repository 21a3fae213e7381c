package dev.temperstore.testing;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test against a real PostgreSQL: one Vert.x per test class, and per test a database of its own, brought up to
 * date by the migration pipeline unless {@link #migrated()} says otherwise. Whatever a test deployed is undeployed
 * and its database dropped afterwards. Subclasses' own {@code @BeforeEach} run after the database exists, their
 * {@code @AfterEach} before it is dropped.
 */
public abstract class DatabaseTest {

  protected static Vertx vertx;
  protected TestDatabase database;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void createDatabase() {
    database = migrated() ? MigratedDatabase.create(vertx) : TestDatabase.create(vertx);
  }

  @AfterEach
  void dropDatabase() {
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    database.close();
  }

  /** Whether each test starts on a migrated database (true) or an empty one owned by a fresh role (false). */
  protected boolean migrated() {
    return true;
  }
}
