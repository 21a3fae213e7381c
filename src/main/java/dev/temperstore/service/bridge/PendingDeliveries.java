package dev.temperstore.service.bridge;

import dev.temperstore.internal.bus.DeliverySender;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deliveries forwarded to one bridge connection that its client has not answered yet, each under a reply
 * address of this connection's own ({@code temper.bridge.reply.<n>}): a client answers only what was sent to it.
 * At most {@code max} at once; each expires after the delivery timeout, when the store gives up on it and sends
 * the batch again: it is failed with {@link DeliverySender#UNANSWERED} (504), which the store counts as a timeout
 * (the target's batches halve) even when this expiry comes before its own timeout fires, or this timeout is the
 * shorter. A client's nack is passed on with the client's code. Used on the connection's event loop only.
 */
final class PendingDeliveries {

  /** The bridge's reply addresses lie under it; it must not overlap the store's prefix. */
  static final String REPLY_SPACE = "temper.bridge.reply";
  static final String REPLY_PREFIX = REPLY_SPACE + ".";
  /** The failure code of a nack given as {@code {"nack": reason}}: retry, as the store's own client nacks. */
  static final int NACK = 503;
  private static final int MAX_REASON_LENGTH = 200;

  private final Vertx vertx;
  private final long timeoutMillis;
  private final int max;
  private final Map<String, Pending> pending = new HashMap<>();
  private long issued;

  PendingDeliveries(Vertx vertx, BridgeLimits limits) {
    this.vertx = vertx;
    this.timeoutMillis = limits.deliveryTimeout().toMillis();
    this.max = limits.maxDeliveriesPerConnection();
  }

  boolean full() {
    return pending.size() >= max;
  }

  int max() {
    return max;
  }

  /** Holds {@code delivery} for the client's answer; returns the reply address the client answers to. */
  String add(Message<?> delivery) {
    String replyAddress = REPLY_PREFIX + (++issued);
    long timer = vertx.setTimer(timeoutMillis, id -> {
      Pending expired = pending.remove(replyAddress);
      if (expired != null) { // not a 503: the store would take that for a nack and not shrink the batches
        expired.delivery().fail(DeliverySender.UNANSWERED, "the bridge client did not answer within "
            + timeoutMillis + " ms");
      }
    });
    pending.put(replyAddress, new Pending(delivery, timer));
    return replyAddress;
  }

  boolean awaits(String replyAddress) {
    return pending.containsKey(replyAddress);
  }

  /**
   * Answers the delivery at {@code replyAddress} as the client's {@code send} frame says: a nack when it carries
   * an integer {@code failureCode} (the stock bridge's form; {@code message} is the reason) or a body
   * {@code {"nack": reason}}; anything else acknowledges it.
   *
   * @throws BridgeRefusal 400, leaving the delivery unanswered, when {@code failureCode} is not an integer
   */
  void answer(String replyAddress, JsonObject frame) {
    Object failureCode = frame.getValue("failureCode");
    if (failureCode != null && !isInt(failureCode)) {
      throw BridgeRefusal.malformed("failureCode must be an integer, to nack the delivery at " + replyAddress);
    }
    Pending answered = pending.remove(replyAddress);
    vertx.cancelTimer(answered.timer());
    if (failureCode != null) {
      answered.delivery().fail(((Number) failureCode).intValue(), reason(frame.getValue("message")));
    } else if (frame.getValue("body") instanceof JsonObject body && body.containsKey("nack")) {
      answered.delivery().fail(NACK, reason(body.getValue("nack")));
    } else {
      answered.delivery().reply(new JsonObject()); // the store needs no more than that it was answered
    }
  }

  /** Fails every delivery still unanswered, so the store sends each again without waiting for its timeout. */
  void failAll(String why) {
    List<Pending> all = new ArrayList<>(pending.values());
    pending.clear();
    all.forEach(unanswered -> {
      vertx.cancelTimer(unanswered.timer());
      unanswered.delivery().fail(BridgeRefusal.UNAVAILABLE, why);
    });
  }

  private static boolean isInt(Object value) {
    return (value instanceof Integer || value instanceof Long || value instanceof Short)
        && ((Number) value).longValue() == ((Number) value).intValue();
  }

  /** The client's reason, as the store logs it: bounded, on one line. */
  private static String reason(Object given) {
    String text = given == null ? "nacked by the bridge client" : "nacked by the bridge client: " + given;
    String shown = text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH) + "…";
    return shown.replaceAll("\\p{Cntrl}", " ");
  }

  private record Pending(Message<?> delivery, long timer) {
  }
}
