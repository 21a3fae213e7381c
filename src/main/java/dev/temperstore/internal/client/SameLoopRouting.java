package dev.temperstore.internal.client;

import dev.temperstore.client.StoreClient;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests that wake as few threads as they can. A store instance serves each of its operations at the shared
 * address and, local only, at an address of its own, and notes here which event loop it runs on. A
 * {@link StoreClient} of the same Vert.x that calls from that event loop sends to the instance's own address: the
 * request and its reply are then tasks on one thread, where otherwise the bus picks any instance and each side
 * wakes a sleeping thread (at one client that cost as much as the rest of an append together;
 * docs/decisions/0018-same-loop-routing.md). A caller on an event loop without an instance adopts one instance, the
 * one adopted by the fewest such loops, and keeps sending there, where the bus would alternate between instances: its
 * appends then gather in one batcher (at 8 clients on one loop, 4 requests a statement instead of 1, and a p99 about
 * half; docs/decisions/0028-one-instance-per-calling-event-loop.md). Same consumers, same checks; callers off event
 * loops, other nodes and the bridge use the shared address. Kept in the Vert.x instance's local shared data, so another Vert.x in the same JVM never
 * sees it.
 *
 * <p>For the operations of {@link DirectOperation}, an instance also offers its own event loop's callers a
 * {@link DirectCall}: the same operation as a method call, typed, without the bus
 * (docs/decisions/0032-direct-calls-on-the-instances-own-loop.md). Only callers on that very loop get it: the call
 * runs the instance's code on the caller's thread.
 */
public final class SameLoopRouting {

  static final String MAP = "temper-store.same-loop-addresses";
  /** Calling event loop's thread name to the event loop whose instance it adopted. */
  static final String ADOPTIONS = "temper-store.adopted-event-loops";
  /** Address and event loop's thread name to the direct call of the instance on that loop. */
  static final String DIRECT_CALLS = "temper-store.direct-calls";
  /**
   * Where the version of the announcements is kept: a new one, unique in the JVM, at every announcement and
   * withdrawal, so that callers' remembered routes are resolved again (a space first: no address key starts so).
   */
  private static final String VERSION = " version";
  private static final AtomicLong VERSIONS = new AtomicLong();
  private static final AtomicLong INSTANCES = new AtomicLong();
  /** Each event-loop thread's remembered routes: read and written by that thread only. */
  private static final ThreadLocal<Routes> ROUTES = new ThreadLocal<>();
  private static final String NONE = "";

  private SameLoopRouting() {
  }

  /** A local-only address for one instance's consumer of {@code address}, unique within the JVM. */
  public static String ownAddress(String address) {
    return address + "@instance-" + INSTANCES.incrementAndGet();
  }

  /** Callers on {@code loopThread} may send {@code address}'s requests to {@code own}; the first instance keeps it. */
  public static void announce(Vertx vertx, String loopThread, String address, String own) {
    map(vertx).putIfAbsent(key(address, loopThread), own);
    changed(vertx);
  }

  /** Takes back what {@link #announce} noted, if it is still this instance's. */
  public static void withdraw(Vertx vertx, String loopThread, String address, String own) {
    map(vertx).removeIfPresent(key(address, loopThread), own);
    changed(vertx);
  }

  /**
   * Callers on {@code loopThread} may call {@code address}'s operation by {@code call}; the first instance keeps it.
   */
  public static void announceDirect(Vertx vertx, String loopThread, String address, DirectCall<?, ?> call) {
    directCalls(vertx).putIfAbsent(key(address, loopThread), call);
    changed(vertx);
  }

  /** Takes back what {@link #announceDirect} noted, if it is still this instance's. */
  public static void withdrawDirect(Vertx vertx, String loopThread, String address, DirectCall<?, ?> call) {
    directCalls(vertx).removeIfPresent(key(address, loopThread), call);
    changed(vertx);
  }

  /**
   * Where a request for {@code address} goes from the calling thread: its event loop's instance if it has one, else
   * the instance its event loop adopted; the shared address off event loops or with no instance on any.
   */
  public static String route(Vertx vertx, String address) {
    if (!Context.isOnEventLoopThread()) {
      return address;
    }
    LocalMap<String, String> map = map(vertx);
    return routes(vertx, map).targets.computeIfAbsent(address, shared -> resolve(vertx, map, shared));
  }

  /**
   * The direct call of {@code operation} at {@code address} that the instance on the calling thread's event loop
   * serves, or null: off event loops, on a loop without an instance, or for an address no instance there serves.
   */
  @SuppressWarnings("unchecked") // announced by the instance for this operation, whose types are the operation's
  public static <Q, R> DirectCall<Q, R> direct(Vertx vertx, String address, DirectOperation<Q, R> operation) {
    if (!Context.isOnEventLoopThread()) {
      return null;
    }
    Object call = routes(vertx, map(vertx)).directs.computeIfAbsent(address, shared -> {
      String caller = Thread.currentThread().getName();
      DirectCall<?, ?> found = directCalls(vertx).get(key(shared, caller));
      if (found == null) {
        return NONE;
      }
      // counted as its own instance's caller, as route counts it
      vertx.sharedData().<String, String>getLocalMap(ADOPTIONS).putIfAbsent(caller, caller);
      return found;
    });
    return call == NONE ? null : (DirectCall<Q, R>) call;
  }

  /** The calling thread's remembered routes, resolved anew once the announcements changed. */
  private static Routes routes(Vertx vertx, LocalMap<String, String> map) {
    String version = map.getOrDefault(VERSION, NONE);
    Routes routes = ROUTES.get();
    if (routes == null || routes.vertx != vertx || !routes.version.equals(version)) {
      routes = new Routes(vertx, version);
      ROUTES.set(routes);
    }
    return routes;
  }

  private static String resolve(Vertx vertx, LocalMap<String, String> map, String address) {
    String caller = Thread.currentThread().getName();
    String own = map.get(key(address, caller));
    LocalMap<String, String> adoptions = vertx.sharedData().getLocalMap(ADOPTIONS);
    if (own != null) {
      // counted as its own instance's caller, so that callers on other loops adopt the other instances first
      adoptions.putIfAbsent(caller, caller);
      return own;
    }
    String adopted = adoptions.get(caller);
    String target = adopted == null ? null : map.get(key(address, adopted));
    if (target != null) {
      return target;
    }
    // the instances' event loops that serve this address, each with the number of callers that adopted it
    Map<String, Integer> hosts = new TreeMap<>();
    String prefix = address + " ";
    map.keySet().stream().filter(key -> key.startsWith(prefix))
        .forEach(key -> hosts.put(key.substring(prefix.length()), 0));
    if (hosts.isEmpty()) {
      return address;
    }
    adoptions.forEach((other, host) -> hosts.computeIfPresent(host, (loop, count) -> count + 1));
    String host = hosts.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
    adoptions.put(caller, host);
    target = map.get(key(address, host));
    return target == null ? address : target;
  }

  private static void changed(Vertx vertx) {
    map(vertx).put(VERSION, Long.toString(VERSIONS.incrementAndGet()));
  }

  private static String key(String address, String loopThread) {
    return address + " " + loopThread;
  }

  private static LocalMap<String, String> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }

  private static LocalMap<String, DirectCall<?, ?>> directCalls(Vertx vertx) {
    return vertx.sharedData().getLocalMap(DIRECT_CALLS);
  }

  /** One thread's resolved targets, valid while the announcements are at {@code version}. */
  private static final class Routes {

    final Vertx vertx;
    final String version;
    final Map<String, String> targets = new HashMap<>();
    /** Address to its {@link DirectCall}, or {@link #NONE}. */
    final Map<String, Object> directs = new HashMap<>();

    Routes(Vertx vertx, String version) {
      this.vertx = vertx;
      this.version = version;
    }
  }
}
