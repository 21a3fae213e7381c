package dev.temperstore.service.ops;

import dev.temperstore.internal.reactive.Reactive;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Duration;

/**
 * Whether this process should get traffic: its migrations are done (the store verticles have started) and its
 * database answers now. Liveness is simpler: the process answers at all.
 */
public final class Readiness {

  private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

  private final Pool ping;
  private volatile boolean serving;

  /** {@code ping} is a small pool of the serving role, used only for the readiness query. */
  public Readiness(Pool ping) {
    this.ping = ping;
  }

  /** The store has migrated and registered its addresses. */
  public void serving() {
    serving = true;
  }

  /** Shutting down: traffic should go elsewhere. */
  public void stopping() {
    serving = false;
  }

  /** Emits {@code {"status": "UP"|"DOWN", "checks": {"migrations": …, "database": …}}}. */
  public Uni<JsonObject> check() {
    boolean migrated = serving;
    return Reactive.uni(() -> ping.query("SELECT 1").execute())
        .ifNoItem().after(PING_TIMEOUT).failWith(() -> new IllegalStateException("no answer within "
            + PING_TIMEOUT.toMillis() + " ms"))
        .map(rows -> "UP")
        .onFailure().recoverWithItem(e -> "DOWN: " + e.getMessage())
        .map(database -> new JsonObject()
            .put("status", migrated && database.equals("UP") ? "UP" : "DOWN")
            .put("checks", new JsonObject()
                .put("migrations", migrated ? "UP" : "DOWN: not started yet, migrating, or stopping")
                .put("database", database)));
  }
}
