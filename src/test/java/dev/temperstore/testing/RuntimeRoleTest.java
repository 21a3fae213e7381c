package dev.temperstore.testing;

import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A {@link DatabaseTest} that calls the store's functions as the store serves: as {@link #role}, a non-owner
 * {@code NOBYPASSRLS} role with the runtime grants (row-level security applies to it), through {@link #runtime}.
 */
public abstract class RuntimeRoleTest extends DatabaseTest {

  protected String role;
  protected Pool runtime;

  @BeforeEach
  void runtimeRole() {
    role = MigratedDatabase.createServingRole(database);
    runtime = database.as(role).pool(vertx, 3);
  }

  @AfterEach
  void closeRuntimePool() {
    runtime.close().await();
  }
}
