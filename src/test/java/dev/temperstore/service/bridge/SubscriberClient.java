package dev.temperstore.service.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A bridge client in another language that subscribes: it registers delivery addresses, answers each delivery with
 * a {@code send} to its reply address, and keeps deliveries that arrive while it waits for the answer to one of its
 * own frames, as a client reading one socket must.
 */
final class SubscriberClient implements AutoCloseable {

  private final WireClient wire;
  private final String token;
  private final Deque<JsonObject> deliveries = new ArrayDeque<>();
  private int frames;

  SubscriberClient(int port, String token) throws IOException {
    this(new WireClient(port), token);
  }

  SubscriberClient(WireClient wire, String token) {
    this.wire = wire;
    this.token = token;
  }

  /** The answer to a register frame with a reply address: a message frame once registered, or an err frame. */
  JsonObject register(String address) throws IOException {
    return answerTo(new JsonObject().put("type", "register").put("address", address), true);
  }

  JsonObject unregister(String address) throws IOException {
    return answerTo(new JsonObject().put("type", "unregister").put("address", address), true);
  }

  /** A request to the store, answered by a message or err frame. */
  JsonObject request(String address, JsonObject body) throws IOException {
    return answerTo(new JsonObject().put("type", "send").put("address", address).put("body", body), true);
  }

  /** Sends {@code frame} (with this client's token, and a reply address of its own when asked) and awaits its answer. */
  JsonObject answerTo(JsonObject frame, boolean withReplyAddress) throws IOException {
    String replyAddress = "client-" + (++frames);
    if (withReplyAddress) {
      frame.put("replyAddress", replyAddress);
    }
    if (token != null) {
      frame.put("headers", new JsonObject().put("authorization", "Bearer " + token));
    }
    wire.send(frame);
    return frameAt(withReplyAddress ? replyAddress : null);
  }

  /** The next delivery frame: one that arrived earlier, or the next one read. */
  JsonObject nextDelivery() throws IOException {
    if (!deliveries.isEmpty()) {
      return deliveries.poll();
    }
    JsonObject frame = wire.receive();
    if (!isDelivery(frame)) {
      throw new AssertionError("expected a delivery, got " + frame.encode());
    }
    return frame;
  }

  /** Acknowledges {@code delivery}, as the stock bridge's clients reply: a send to its reply address. */
  void ack(JsonObject delivery) throws IOException {
    wire.send(new JsonObject().put("type", "send").put("address", delivery.getString("replyAddress"))
        .put("body", new JsonObject()));
  }

  /** Fails {@code delivery} with a failure code, the stock bridge's form. */
  void nack(JsonObject delivery, int failureCode, String reason) throws IOException {
    wire.send(new JsonObject().put("type", "send").put("address", delivery.getString("replyAddress"))
        .put("failureCode", failureCode).put("message", reason));
  }

  void send(JsonObject frame) throws IOException {
    wire.send(frame);
  }

  /** The next frame that is not a delivery, e.g. one the bridge sends of itself. */
  JsonObject nextFrame() throws IOException {
    return frameAt(null);
  }

  /** The deliveries received until the bridge answers a ping: everything it had written to this connection. */
  List<JsonObject> deliveriesUntilPong() throws IOException {
    wire.send(new JsonObject().put("type", "ping"));
    JsonObject pong = frameAt(null);
    if (!"pong".equals(pong.getString("type"))) {
      throw new AssertionError("expected pong, got " + pong.encode());
    }
    List<JsonObject> all = new ArrayList<>(deliveries);
    deliveries.clear();
    return all;
  }

  void readTimeout(int millis) throws IOException {
    wire.readTimeout(millis);
  }

  /** Whether the bridge closed the connection (read until the end of the stream). */
  boolean closedByBridge() throws IOException {
    return wire.closedByBridge();
  }

  @Override
  public void close() throws IOException {
    wire.close();
  }

  static JsonArray events(JsonObject delivery) {
    return delivery.getJsonObject("body").getJsonArray("events");
  }

  static List<String> positions(JsonObject delivery) {
    return events(delivery).stream().map(event -> ((JsonObject) event).getString("position")).toList();
  }

  /** The frame answering {@code replyAddress} (or, when null, the next frame that is not a delivery). */
  private JsonObject frameAt(String replyAddress) throws IOException {
    while (true) {
      JsonObject frame = wire.receive();
      if (isDelivery(frame)) {
        deliveries.add(frame);
      } else if (replyAddress == null || replyAddress.equals(frame.getString("address"))) {
        return frame;
      } else {
        throw new AssertionError("expected the answer to " + replyAddress + ", got " + frame.encode());
      }
    }
  }

  private static boolean isDelivery(JsonObject frame) {
    return "message".equals(frame.getString("type")) && frame.getString("replyAddress") != null
        && frame.getString("replyAddress").startsWith("temper.bridge.reply.");
  }
}
