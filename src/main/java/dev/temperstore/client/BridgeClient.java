package dev.temperstore.client;

import dev.temperstore.internal.wire.FrameWriter;
import dev.temperstore.internal.wire.FrameReader;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StoreErrors;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.Unavailable;
import dev.temperstore.internal.reactive.Reactive;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PfxOptions;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} over one TCP bridge connection, for a {@code StoreClient} in another process: requests are
 * {@code send} frames with a reply address of their own, answered by {@code message} or {@code err} frames.
 * Safe to use from any thread; the connection's frames are handled on its event loop.
 */
public final class BridgeClient implements Transport, AutoCloseable {

  private final Vertx vertx;
  /**
   * Held for the connection's life: Vert.x closes a client that is no longer referenced (it is "cleanable"), and
   * with it this connection, whenever the garbage collector happens to notice.
   */
  private final NetClient netClient;
  private final NetSocket socket;
  private final Duration timeout;
  private final JsonObject headers;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean closed;
  private static final String CLOSED = "the bridge connection closed";
  private volatile String closedBecause = CLOSED;

  private BridgeClient(Vertx vertx, NetClient netClient, NetSocket socket, Options options) {
    this.vertx = vertx;
    this.netClient = netClient;
    this.socket = socket;
    this.timeout = options.timeout();
    this.headers = options.bearerToken().map(token -> new JsonObject().put("authorization", "Bearer " + token))
        .orElseGet(JsonObject::new);
  }

  /**
   * How to reach a bridge.
   *
   * @param timeout     how long a request waits for its reply
   * @param bearerToken sent in every request's {@code headers.authorization}, for a bridge with authentication
   * @param trustStore  for a bridge with TLS: a PKCS#12 file holding the certificate to trust
   */
  public record Options(Duration timeout, Optional<String> bearerToken, Optional<BridgeTls> trustStore) {

    public static Options of(Duration timeout) {
      return new Options(timeout, Optional.empty(), Optional.empty());
    }

    public Options withBearerToken(String token) {
      return new Options(timeout, Optional.of(token), trustStore);
    }

    public Options withTrustStore(BridgeTls store) {
      return new Options(timeout, bearerToken, Optional.of(store));
    }

    @Override
    public String toString() {
      return "Options[timeout=" + timeout + ", bearerToken=" + (bearerToken.isPresent() ? "(set)" : "none")
          + ", trustStore=" + trustStore + "]"; // never the token
    }
  }

  /** Connects to a bridge at {@code host:port}, without authentication or TLS. */
  public static Uni<BridgeClient> connect(Vertx vertx, String host, int port, Duration timeout) {
    return connect(vertx, host, port, Options.of(timeout));
  }

  /** Connects to a bridge at {@code host:port}. */
  public static Uni<BridgeClient> connect(Vertx vertx, String host, int port, Options options) {
    NetClientOptions client = new NetClientOptions();
    options.trustStore().ifPresent(store -> client.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
        .setTrustOptions(new PfxOptions().setPath(store.keystore()).setPassword(store.password())));
    NetClient netClient = vertx.createNetClient(client);
    return Reactive.uni(() -> netClient.connect(port, host))
        .onFailure().invoke(e -> netClient.close())
        .onFailure().transform(e -> new Unavailable("cannot reach the bridge at " + host + ":" + port + ": "
            + e.getMessage()))
        .map(socket -> {
          BridgeClient bridgeClient = new BridgeClient(vertx, netClient, socket, options);
          // Replies are bounded by the store's own limits; 64 MiB leaves room for any of them.
          socket.handler(new FrameReader(64 * 1024 * 1024, "the bridge client's limit", bridgeClient::received,
              violation -> bridgeClient.closeBecause("a reply could not be read: " + violation)));
          socket.exceptionHandler(e -> bridgeClient.closeBecause(e.getClass().getSimpleName() + ": " + e.getMessage()));
          socket.closeHandler(ignored -> bridgeClient.connectionClosed());
          return bridgeClient;
        });
  }

  @Override
  public Uni<JsonObject> request(String address, JsonObject body) {
    return Uni.createFrom().emitter(emitter -> {
      if (closed) {
        emitter.fail(new Unavailable("the bridge connection is closed"));
        return;
      }
      String replyAddress = "temper-bridge-client-" + ids.incrementAndGet();
      long timer = vertx.setTimer(timeout.toMillis(), id -> fail(replyAddress,
          new Unavailable("no reply from " + address + " through the bridge within " + timeout.toMillis() + " ms")));
      pending.put(replyAddress, new Pending(emitter, timer));
      FrameWriter.write(socket, new JsonObject().put("type", "send").put("address", address)
          .put("replyAddress", replyAddress).put("headers", headers).put("body", body));
    });
  }

  @Override
  public void close() {
    socket.close().onComplete(ignored -> netClient.close());
  }

  private void received(JsonObject frame) {
    Object address = frame.getValue("address");
    if (address == null && "err".equals(frame.getValue("type"))) {
      closedBecause = "the bridge closed the connection: " + frame.getValue("message"); // it closes next
      return;
    }
    Pending waiting = address instanceof String replyAddress ? pending.remove(replyAddress) : null;
    if (waiting == null) {
      return; // a reply after its timeout, or a frame that answers nothing of ours
    }
    vertx.cancelTimer(waiting.timer());
    if ("message".equals(frame.getString("type"))) {
      waiting.emitter().complete(frame.getJsonObject("body"));
    } else if (frame.containsKey("failureCode")) {
      waiting.emitter().fail(StoreErrors.fromWire(frame.getInteger("failureCode"), frame.getString("message")));
    } else {
      waiting.emitter().fail(new InvalidRequest("the bridge refused the request: " + frame.getString("message")));
    }
  }

  /** Closes the connection, saying why to the requests it fails (the first reason given is kept). */
  private void closeBecause(String reason) {
    if (!closed && closedBecause.equals(CLOSED)) {
      closedBecause = CLOSED + ": " + reason;
    }
    socket.close();
  }

  private void connectionClosed() {
    closed = true;
    pending.keySet().forEach(replyAddress -> fail(replyAddress, new Unavailable(closedBecause)));
  }

  private void fail(String replyAddress, StoreException failure) {
    Pending waiting = pending.remove(replyAddress);
    if (waiting != null) {
      vertx.cancelTimer(waiting.timer());
      waiting.emitter().fail(failure);
    }
  }

  private record Pending(UniEmitter<? super JsonObject> emitter, long timer) {
  }
}
