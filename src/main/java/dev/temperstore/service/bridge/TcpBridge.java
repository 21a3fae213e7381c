package dev.temperstore.service.bridge;

import dev.temperstore.internal.wire.FrameWriter;
import dev.temperstore.internal.wire.FrameReader;
import dev.temperstore.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The store for clients in other languages, on Vert.x's TCP event-bus bridge protocol (4-byte big-endian length,
 * then a JSON frame; {@code send} with a {@code replyAddress}, answered by a {@code message} or an {@code err}
 * frame; {@code ping}/{@code pong}). Framing and dispatch are ours ({@link FrameReader}, {@link BridgeConnection}):
 * the stock bridge buffers a frame of any announced length and keeps a connection that sent a malformed one.
 *
 * <p>Only the store's own addresses are forwarded, and only as requests; anything else (another address,
 * {@code publish}) is answered {@code access_denied}. Secret {@code get}, the one operation that returns
 * plaintext, is forwarded only when explicitly enabled. With {@link BridgeAuth}, every request needs a token
 * granting its tenant and permission. {@link BridgeLimits} bound what any client can take.
 *
 * <p>Subscription deliveries reach bridge clients that {@code register} an address under the delivery prefix
 * ({@link DeliveryAddresses}); only delivery batches of tenants the client may read are forwarded, and the client
 * answers each with a {@code send} to the reply address it came with ({@link Registrations},
 * {@link PendingDeliveries}).
 */
public final class TcpBridge {

  private final Vertx vertx;
  private final Map<String, BridgeOperation> operations;
  private final DeliveryAddresses deliveryAddresses;
  private final BridgeLimits limits;
  private final Optional<BridgeAuth> auth;
  private final DeliveryOptions delivery;
  private final AtomicInteger connections = new AtomicInteger();

  private TcpBridge(Vertx vertx, Map<String, BridgeOperation> operations, DeliveryAddresses deliveryAddresses,
                    BridgeOptions options) {
    this.vertx = vertx;
    this.operations = operations;
    this.deliveryAddresses = deliveryAddresses;
    this.limits = options.limits();
    this.auth = options.auth();
    this.delivery = new DeliveryOptions().setSendTimeout(limits.requestTimeout().toMillis());
  }

  /** The addresses a bridge client may send to. */
  public static java.util.List<String> allowed(Addresses addresses, boolean allowSecretGet) {
    return operations(addresses, allowSecretGet).keySet().stream().sorted().toList();
  }

  /**
   * Listens as {@code options} say. Fails, naming the keys to set, when the host is not a loopback address and no
   * authentication is configured: anyone who reaches the port could then read and write every tenant; and when the
   * delivery prefix (or the bridge's reply addresses) and the store's prefix overlap.
   */
  public static Future<NetServer> listen(Vertx vertx, Addresses addresses, BridgeOptions options) {
    if (options.auth().isEmpty() && !isLoopback(options.host())) {
      return Future.failedFuture(new IllegalStateException("refusing to serve the bridge on " + options.host()
          + ": it is not a loopback address and no authentication is configured; set temper.bridge.auth.jwt-secret"
          + " or temper.bridge.auth.jwt-public-key, or temper.bridge.host=127.0.0.1"));
    }
    if (DeliveryAddresses.overlap(PendingDeliveries.REPLY_SPACE, addresses.prefix())) {
      return Future.failedFuture(new IllegalStateException("the store's prefix \"" + addresses.prefix()
          + "\" (temper.bus.prefix) overlaps the bridge's reply addresses (" + PendingDeliveries.REPLY_PREFIX + "*)"));
    }
    DeliveryAddresses deliveryAddresses;
    try {
      deliveryAddresses = new DeliveryAddresses(options.deliveryPrefix(), addresses);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalStateException(e.getMessage()));
    }
    TcpBridge bridge = new TcpBridge(vertx, operations(addresses, options.allowSecretGet()), deliveryAddresses,
        options);
    NetServerOptions server = new NetServerOptions()
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, options.limits().idleTimeout().toMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    options.tls().ifPresent(tls -> server.setSsl(true).setKeyCertOptions(tls.keyCert()));
    return vertx.createNetServer(server).connectHandler(bridge::connected).listen(options.port(), options.host());
  }

  /** Loopback by its literal spelling or the name localhost; any other name counts as reachable from outside. */
  static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!host.matches("[0-9.]+|\\[?[0-9A-Fa-f:.]+]?")) {
      return false; // a host name: resolving it here could block, and it may resolve differently later
    }
    try {
      return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress(); // a literal: no DNS
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private void connected(NetSocket socket) {
    if (connections.incrementAndGet() > limits.maxConnections()) {
      connections.decrementAndGet();
      socket.end(FrameWriter.encode(FrameWriter.err(null, 503, "too many connections: the bridge serves at most "
          + limits.maxConnections() + " (temper.bridge.max-connections)")));
      return;
    }
    BridgeConnection connection = new BridgeConnection(this, socket, auth.map(BridgeAuth::session));
    socket.closeHandler(ignored -> {
      connections.decrementAndGet();
      connection.closed();
    });
    connection.start();
  }

  Vertx vertx() {
    return vertx;
  }

  BridgeLimits limits() {
    return limits;
  }

  DeliveryOptions delivery() {
    return delivery;
  }

  Optional<BridgeAuth> auth() {
    return auth;
  }

  DeliveryAddresses deliveryAddresses() {
    return deliveryAddresses;
  }

  /** The operation a client may send to {@code address}, or null. */
  BridgeOperation operation(String address) {
    return operations.get(address);
  }

  private static Map<String, BridgeOperation> operations(Addresses addresses, boolean allowSecretGet) {
    return Arrays.stream(BridgeOperation.values())
        .filter(operation -> allowSecretGet || operation != BridgeOperation.SECRETS_GET)
        .collect(Collectors.toUnmodifiableMap(operation -> addresses.of(operation.operation()), Function.identity()));
  }
}
