package dev.temperstore.bus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests that need not leave their thread. A store instance serves each of its operations at the shared address
 * and, local only, at an address of its own, and notes here which event loop it runs on. A {@link StoreClient} of
 * the same Vert.x that calls from that event loop sends to the instance's own address: the request and its reply
 * are then tasks on one thread, where otherwise the bus picks any instance and each side wakes a sleeping thread
 * (at one client that cost as much as the rest of an append together; docs/benchmarks.md, "Where a lone append's
 * time goes"). Same consumers, same checks; callers elsewhere, other nodes and the bridge use the shared address.
 * Kept in the Vert.x instance's local shared data, so another Vert.x in the same JVM never sees it.
 */
final class SameLoopRouting {

  static final String MAP = "temper-store.same-loop-addresses";
  private static final AtomicLong INSTANCES = new AtomicLong();

  private SameLoopRouting() {
  }

  /** A local-only address for one instance's consumer of {@code address}, unique within the JVM. */
  static String ownAddress(String address) {
    return address + "@instance-" + INSTANCES.incrementAndGet();
  }

  /** Callers on {@code loopThread} may send {@code address}'s requests to {@code own}; the first instance keeps it. */
  static void announce(Vertx vertx, String loopThread, String address, String own) {
    map(vertx).putIfAbsent(key(address, loopThread), own);
  }

  /** Takes back what {@link #announce} noted, if it is still this instance's. */
  static void withdraw(Vertx vertx, String loopThread, String address, String own) {
    map(vertx).removeIfPresent(key(address, loopThread), own);
  }

  /** Where a request for {@code address} goes from the calling thread: its event loop's instance, if it has one. */
  static String route(Vertx vertx, String address) {
    if (!Context.isOnEventLoopThread()) {
      return address;
    }
    String own = map(vertx).get(key(address, Thread.currentThread().getName()));
    return own == null ? address : own;
  }

  private static String key(String address, String loopThread) {
    return address + " " + loopThread;
  }

  private static LocalMap<String, String> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
