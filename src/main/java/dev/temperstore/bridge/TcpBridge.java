package dev.temperstore.bridge;

import dev.temperstore.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The store for clients in other languages, on Vert.x's TCP event-bus bridge protocol (4-byte big-endian length,
 * then a JSON frame; {@code send} with a {@code replyAddress}, answered by a {@code message} or an {@code err}
 * frame; {@code ping}/{@code pong}). Framing is vertx-tcp-eventbus-bridge's own code; the dispatch is ours,
 * because that bridge logs a malformed frame and keeps the connection, where a client that sends one is broken
 * and is disconnected here, and no one else.
 *
 * <p>Only the store's own addresses are forwarded, and only as requests; anything else (another address,
 * {@code publish}, {@code register}) is answered {@code access_denied}. Secret {@code get}, the one operation that
 * returns plaintext, is forwarded only when explicitly enabled.
 */
public final class TcpBridge {

  private static final Logger LOG = LoggerFactory.getLogger(TcpBridge.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Set<String> allowed;

  private TcpBridge(Vertx vertx, Set<String> allowed) {
    this.vertx = vertx;
    this.allowed = allowed;
  }

  /** The addresses a bridge client may send to. */
  public static List<String> allowed(Addresses addresses, boolean allowSecretGet) {
    List<String> operations = new ArrayList<>(List.of(Addresses.EVENTS_APPEND, Addresses.EVENTS_APPEND_BATCH,
        Addresses.EVENTS_READ, Addresses.EVENTS_LIST_ENTITIES, Addresses.SNAPSHOTS_SAVE, Addresses.SNAPSHOTS_LOAD,
        Addresses.SECRETS_PUT, Addresses.SECRETS_DELETE, Addresses.SECRETS_LIST, Addresses.SECRETS_ROTATE));
    if (allowSecretGet) {
      operations.add(Addresses.SECRETS_GET);
    }
    return operations.stream().map(addresses::of).toList();
  }

  /** Listens on {@code host:port} (use 127.0.0.1 unless other hosts must reach it). */
  public static Future<NetServer> listen(Vertx vertx, Addresses addresses, boolean allowSecretGet, String host,
                                         int port) {
    TcpBridge bridge = new TcpBridge(vertx, Set.copyOf(allowed(addresses, allowSecretGet)));
    return vertx.createNetServer().connectHandler(bridge::connected).listen(port, host);
  }

  private void connected(NetSocket socket) {
    socket.handler(new FrameParser(frame -> {
      if (frame.failed()) {
        LOG.debug("closing bridge connection from {}: malformed frame ({})", socket.remoteAddress(),
            frame.cause().getMessage());
        socket.close();
        return;
      }
      handle(frame.result(), socket);
    }));
  }

  private void handle(JsonObject frame, NetSocket socket) {
    String type = frame.getString("type", "");
    switch (type) {
      case "ping" -> FrameHelper.sendFrame("pong", socket);
      case "send" -> send(frame, socket);
      default -> FrameHelper.sendErrFrame("access_denied", socket);
    }
  }

  private void send(JsonObject frame, NetSocket socket) {
    Object addressValue = frame.getValue("address");
    Object replyValue = frame.getValue("replyAddress");
    if (!(addressValue instanceof String address) || !allowed.contains(address)) {
      // Addressed to the reply address when there is one, so that a client can tell which request was refused.
      JsonObject refusal = new JsonObject().put("type", "err").put("message", "access_denied");
      if (replyValue instanceof String replyAddress) {
        refusal.put("address", replyAddress);
      }
      FrameHelper.writeFrame(refusal, socket);
      return;
    }
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT.toMillis());
    Object body = frame.getValue("body");
    if (!(replyValue instanceof String replyAddress)) {
      vertx.eventBus().send(address, body, options);
      return;
    }
    vertx.eventBus().request(address, body, options).onComplete(reply -> {
      if (reply.succeeded()) {
        FrameHelper.sendFrame("message", replyAddress, reply.result().body(), socket);
      } else {
        ReplyException failure = reply.cause() instanceof ReplyException e ? e
            : new ReplyException(ReplyFailure.ERROR, -1, String.valueOf(reply.cause().getMessage()));
        FrameHelper.writeFrame(new JsonObject().put("type", "err").put("address", replyAddress)
            .put("failureCode", failure.failureCode()).put("failureType", failure.failureType().name())
            .put("message", failure.getMessage()), socket);
      }
    });
  }
}
