package dev.temperstore.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server-side functions the stores call (and the secret store's key-version column): each operation is one statement and one round trip, sets the tenant
 * for row-level security inside its own transaction, and names the tenant in every predicate.
 * Their SQL lives in {@code src/main/resources/db/functions/}.
 */
final class StoreFunctions {

  private StoreFunctions() {
  }

  static List<MigrationStep> steps() {
    return List.of(
        MigrationStep.create("append function", sql("append-events.sql")),
        MigrationStep.create("read events function", sql("read-events.sql")),
        MigrationStep.create("list entities function", sql("list-entities.sql")),
        MigrationStep.create("save snapshot function", sql("save-snapshot.sql")),
        MigrationStep.create("load snapshot function", sql("load-snapshot.sql")),
        // Secrets: the key version each row is encrypted under. Rows Temper wrote get 0, the legacy version.
        MigrationStep.create("tenant_secrets key_version migration",
            "ALTER TABLE tenant_secrets ADD COLUMN IF NOT EXISTS key_version INT NOT NULL DEFAULT 0"),
        MigrationStep.create("put secret function", sql("secret-put.sql")),
        MigrationStep.create("get secret function", sql("secret-get.sql")),
        MigrationStep.create("delete secret function", sql("secret-delete.sql")),
        MigrationStep.create("list secrets function", sql("secret-list.sql")),
        MigrationStep.create("secret rotation functions", sql("secret-rotation.sql")),
        MigrationStep.create("append function plans", sql("append-plans.sql")));
  }

  private static String sql(String file) {
    String path = "db/functions/" + file;
    try (InputStream in = StoreFunctions.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
