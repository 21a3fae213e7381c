package dev.temperstore.internal.client;

import dev.temperstore.client.StoreClient;
import dev.temperstore.internal.bus.DeliverySender;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * The addresses at which a {@link StoreClient} subscription of this Vert.x instance consumes deliveries, with how
 * many consumers each: a delivery to one of them may be handed over as the typed batch itself, uncopied
 * ({@link DeliverySender}). Kept in the instance's local shared data, so a store and a client share it whichever
 * verticle made them, and another Vert.x instance in the same JVM (a separate bus) never sees it.
 */
public final class TypedConsumers {

  private static final String MAP = "temper-store.typed-delivery-consumers";

  private TypedConsumers() {
  }

  static void add(Vertx vertx, String address) {
    map(vertx).merge(address, 1, Integer::sum);
  }

  static void remove(Vertx vertx, String address) {
    map(vertx).computeIfPresent(address, (key, count) -> count > 1 ? count - 1 : null);
  }

  public static boolean at(Vertx vertx, String address) {
    return map(vertx).containsKey(address);
  }

  private static LocalMap<String, Integer> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
