package dev.temperstore.service.bench;

import dev.temperstore.StoreSettings;
import dev.temperstore.client.StoreClient;
import io.vertx.core.Vertx;

/**
 * How a {@link BenchStore} reaches the store it deployed: the client its load generator calls, made once the
 * store is up, and what to close after the run. {@link #BUS} is {@code bench}'s own; the lab's layered benchmark
 * also measures the bridge and a client that sends every request as a message.
 */
@FunctionalInterface
public interface BenchClients {

  /** A {@link StoreClient} over the store's Vert.x, with the timeout above the store's deadline. */
  BenchClients BUS = (vertx, settings) -> new Opened(new StoreClient(vertx, settings.addresses(),
      StoreClient.timeoutAbove(settings.requestDeadline())), () -> { });

  /** A client of the store that runs on {@code vertx} with {@code settings}. */
  Opened open(Vertx vertx, StoreSettings settings) throws Exception;

  /** The client, and what closes whatever it was made with. */
  record Opened(StoreClient client, AutoCloseable resources) {
  }
}
