package dev.temperstore.service.bridge;

import dev.temperstore.internal.wire.FrameWriter;
import dev.temperstore.internal.wire.FrameReader;
import dev.temperstore.internal.bus.Endpoints;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * One client connection of a {@link TcpBridge}: reads its frames, forwards its requests, writes the replies, and
 * serves its subscription deliveries: {@code register}/{@code unregister} of delivery addresses
 * ({@link Registrations}) and the client's answers, {@code send} frames to a reply address a delivery came with
 * ({@link PendingDeliveries}).
 * A protocol violation (a frame the reader refuses, a frame without a string {@code type}, an unknown type) is
 * answered with an {@code err} frame and the connection is closed; a frame that is well formed but refused gets an
 * {@code err} frame and the connection goes on. Nothing a client sends makes the handler throw.
 * At {@link BridgeLimits#maxOutstandingPerConnection()} unanswered requests, reading stops until replies drain.
 * Everything here runs on the connection's event loop.
 */
final class BridgeConnection {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);
  private static final JsonObject PONG = new JsonObject().put("type", "pong");
  private static final String ACCESS_DENIED = "access_denied";

  private final TcpBridge bridge;
  private final NetSocket socket;
  private final Optional<BridgeAuth.Session> auth;
  private final FrameReader reader;
  private final ConnectionOutput output;
  private final PendingDeliveries deliveries;
  private final Registrations registrations;
  private int outstanding;
  private boolean closing;

  BridgeConnection(TcpBridge bridge, NetSocket socket, Optional<BridgeAuth.Session> auth) {
    this.bridge = bridge;
    this.socket = socket;
    this.auth = auth;
    this.reader = new FrameReader(bridge.limits().maxFrameBytes(), "temper.bridge.max-frame-bytes", this::frame,
        this::violation);
    this.output = new ConnectionOutput(socket);
    this.deliveries = new PendingDeliveries(bridge.vertx(), bridge.limits());
    this.registrations = new Registrations(bridge.vertx(), output, bridge.limits(), deliveries, bridge.auth());
  }

  void start() {
    socket.handler(reader);
  }

  /** The socket closed: its registrations end, and the deliveries it did not answer go back to the store. */
  void closed() {
    closing = true;
    registrations.close();
  }

  private void frame(JsonObject frame) {
    try {
      Object type = frame.getValue("type");
      if (!(type instanceof String name)) {
        violation("frame has no \"type\" string");
        return;
      }
      switch (name) {
        case "ping" -> output.write(PONG);
        case "send" -> send(frame);
        case "register" -> register(frame);
        case "unregister" -> unregister(frame);
        case "publish" -> refuse(frame, ACCESS_DENIED);
        default -> violation("unknown frame type \"" + (name.length() <= 40 ? name : name.substring(0, 40) + "…")
            + "\" (expected send, register, unregister or ping)");
      }
    } catch (RuntimeException e) {
      // A bug of ours must still not leave the client hanging: it learns, and the connection ends cleanly.
      LOG.warn("bridge connection from {}: failed to handle a frame", socket.remoteAddress(), e);
      violation("the bridge failed to handle the frame");
    }
  }

  private void send(JsonObject frame) {
    String replyAddress = frame.getValue("replyAddress") instanceof String reply ? reply : null;
    if (frame.getValue("address") instanceof String address && address.startsWith(PendingDeliveries.REPLY_PREFIX)) {
      answer(address, frame, replyAddress);
      return;
    }
    BridgeOperation operation = frame.getValue("address") instanceof String address
        ? bridge.operation(address) : null;
    if (operation == null) {
      refuse(frame, ACCESS_DENIED);
      return;
    }
    String address = frame.getString("address");
    Object body = frame.getValue("body");
    started();
    Future<Object> reply = grant(frame).compose(grant -> {
      try {
        grant.ifPresent(granted -> Confinement.check(operation, address, body, granted));
      } catch (BridgeRefusal refusal) {
        bridge.auth().ifPresent(counted -> counted.refused(refusal));
        throw refusal;
      }
      bridge.deliveryAddresses().checkRequest(operation, body);
      return forward(address, body, caller(grant));
    });
    reply.onComplete(result -> {
      finished();
      if (replyAddress != null) {
        output.write(result.succeeded()
            ? new JsonObject().put("type", "message").put("address", replyAddress).put("body", result.result())
            : failure(replyAddress, result.cause()));
      }
    });
  }

  /** The client's answer to a delivery it was sent on this connection; an unknown reply address is a 404. */
  private void answer(String address, JsonObject frame, String replyAddress) {
    try {
      if (!deliveries.awaits(address)) {
        throw BridgeRefusal.notFound("no delivery awaits an answer at " + Confinement.shown(address)
            + " on this connection: answered already, not answered within the delivery timeout, or never sent here");
      }
      deliveries.answer(address, frame);
    } catch (BridgeRefusal refusal) {
      output.write(FrameWriter.err(replyAddress, refusal.code(), refusal.getMessage())
          .put("sourceAddress", Confinement.shown(address)));
    }
  }

  /**
   * Registers a delivery address for this client; with a {@code replyAddress}, confirmed by a {@code message}
   * frame once the consumer is registered. Refusals are {@code err} frames naming it as {@code sourceAddress}.
   */
  private void register(JsonObject frame) {
    Object address = frame.getValue("address");
    grant(frame)
        .compose(grant -> registrations.register(bridge.deliveryAddresses().registrable(address, grant), grant))
        .onComplete(done -> confirm(frame, done.succeeded() ? null : done.cause(),
            new JsonObject().put("registered", address)));
  }

  private void unregister(JsonObject frame) {
    Object address = frame.getValue("address");
    Throwable refusal = null;
    try {
      String registered = bridge.deliveryAddresses().registrable(address, Optional.empty());
      if (!registrations.unregister(registered)) {
        refusal = BridgeRefusal.notFound("\"" + Confinement.shown(registered) + "\" is not registered on this"
            + " connection");
      }
    } catch (BridgeRefusal e) {
      refusal = e;
    }
    confirm(frame, refusal, new JsonObject().put("unregistered", address));
  }

  /** Answers a register or unregister frame: an err frame when it failed, a message frame to its replyAddress. */
  private void confirm(JsonObject frame, Throwable failure, JsonObject body) {
    String replyAddress = frame.getValue("replyAddress") instanceof String reply ? reply : null;
    if (failure != null) {
      JsonObject err = failure(replyAddress, failure);
      if (frame.getValue("address") instanceof String address) {
        err.put("sourceAddress", Confinement.shown(address));
      }
      output.write(err);
    } else if (replyAddress != null) {
      output.write(new JsonObject().put("type", "message").put("address", replyAddress)
          .put("body", body));
    }
  }

  /** The grant of the frame's token; empty when the bridge has no authentication. */
  private Future<Optional<Grant>> grant(JsonObject frame) {
    return auth.isEmpty() ? Future.succeededFuture(Optional.empty()) : auth.get().grant(frame).map(Optional::of);
  }

  /** The store learns who asks (for its audit of reads across tenants): the client's address and token. */
  private Future<Object> forward(String address, Object body, String caller) {
    DeliveryOptions delivery = new DeliveryOptions(bridge.delivery()).addHeader(Endpoints.CALLER_HEADER, caller);
    return bridge.vertx().eventBus().request(address, body, delivery).map(Message::body);
  }

  private String caller(Optional<Grant> grant) {
    return "bridge client " + socket.remoteAddress() + grant.map(granted -> granted.subject()
        .map(sub -> ", token subject \"" + sub + "\"").orElse(", token without a subject"))
        .orElse(" (no authentication)");
  }

  private static JsonObject failure(String replyAddress, Throwable cause) {
    if (cause instanceof BridgeRefusal refusal) {
      return FrameWriter.err(replyAddress, refusal.code(), refusal.getMessage());
    }
    if (cause instanceof ReplyException reply) {
      return FrameWriter.err(replyAddress, reply.failureCode(), reply.getMessage())
          .put("failureType", reply.failureType().name());
    }
    return FrameWriter.err(replyAddress, -1, String.valueOf(cause.getMessage())).put("failureType", "ERROR");
  }

  /** The stock bridge's refusal, addressed to the reply address when there is one. */
  private void refuse(JsonObject frame, String message) {
    JsonObject refusal = new JsonObject().put("type", "err").put("message", message);
    if (frame.getValue("replyAddress") instanceof String replyAddress) {
      refusal.put("address", replyAddress);
    }
    output.write(refusal);
  }

  private void started() {
    if (++outstanding >= bridge.limits().maxOutstandingPerConnection()) {
      reader.pause();
      socket.pause();
    }
  }

  private void finished() {
    outstanding--;
    if (reader.paused() && !closing && outstanding < bridge.limits().maxOutstandingPerConnection()) {
      reader.resume(); // delivers frames that arrived with the last chunk; they may pause it again
      if (!reader.paused()) {
        socket.resume();
      }
    }
  }

  private void violation(String message) {
    if (closing) {
      return;
    }
    closing = true;
    reader.pause();
    LOG.debug("closing bridge connection from {}: {}", socket.remoteAddress(), message);
    socket.end(FrameWriter.encode(FrameWriter.err(null, BridgeRefusal.MALFORMED, message)));
  }
}
