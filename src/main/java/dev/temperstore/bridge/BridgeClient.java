package dev.temperstore.bridge;

import dev.temperstore.bus.Transport;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StoreErrors;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.Unavailable;
import dev.temperstore.reactive.Reactive;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameParser;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} over one TCP bridge connection, for a {@code StoreClient} in another process: requests are
 * {@code send} frames with a reply address of their own, answered by {@code message} or {@code err} frames.
 * Safe to use from any thread; the connection's frames are handled on its event loop.
 */
public final class BridgeClient implements Transport, AutoCloseable {

  private final Vertx vertx;
  private final NetSocket socket;
  private final Duration timeout;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean closed;

  private BridgeClient(Vertx vertx, NetSocket socket, Duration timeout) {
    this.vertx = vertx;
    this.socket = socket;
    this.timeout = timeout;
  }

  /** Connects to a bridge at {@code host:port}. */
  public static Uni<BridgeClient> connect(Vertx vertx, String host, int port, Duration timeout) {
    return Reactive.uni(() -> vertx.createNetClient().connect(port, host))
        .onFailure().transform(e -> new Unavailable("cannot reach the bridge at " + host + ":" + port + ": "
            + e.getMessage()))
        .map(socket -> {
          BridgeClient client = new BridgeClient(vertx, socket, timeout);
          socket.handler(new FrameParser(frame -> {
            if (frame.succeeded()) {
              client.received(frame.result());
            } else {
              socket.close();
            }
          }));
          socket.closeHandler(ignored -> client.connectionClosed());
          return client;
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
      FrameHelper.sendFrame("send", address, replyAddress, new JsonObject(), true, body, socket);
    });
  }

  @Override
  public void close() {
    socket.close();
  }

  private void received(JsonObject frame) {
    String address = frame.getString("address");
    Pending waiting = address == null ? null : pending.remove(address);
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

  private void connectionClosed() {
    closed = true;
    pending.keySet().forEach(replyAddress -> fail(replyAddress, new Unavailable("the bridge connection closed")));
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
