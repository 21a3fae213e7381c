package dev.temperstore.internal.client;

import dev.temperstore.client.StoreClient;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * Replies handed to a {@link StoreClient} in the same JVM as they are, instead of deep-copied as Vert.x does for
 * every local JSON message: the copy of a page of events took a tenth of the JVM's time on reads (JFR, see
 * docs/decisions/0003-uncopied-replies-and-quick-timestamps.md). Sharing is safe because the store builds each reply
 * afresh and keeps no reference to it. Between JVMs a reply travels as JSON text, as any JSON object does.
 *
 * <p>Requests are still copied: the store must not read an object its caller may change after validation. A
 * client asks for shared replies with a header, and only clients that registered this codec send it, so a
 * plain-JSON caller on a clustered bus, whose event bus does not know the codec, gets ordinary replies.
 */
public final class SharedReplyCodec implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "temper.shared-reply";
  /** Request header: its value {@link #NAME} asks for replies in this codec. */
  public static final String HEADER = "temper-reply-codec";

  private static final DeliveryOptions SHARED = new DeliveryOptions().setCodecName(NAME);
  private static final DeliveryOptions PLAIN = new DeliveryOptions();

  /** Makes the codec known to {@code bus}; a second call (another verticle, another client) changes nothing. */
  public static void registerOn(EventBus bus) {
    try {
      bus.registerCodec(new SharedReplyCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // the codec manager keeps one codec per name, and this one is stateless
    }
  }

  /** How {@code request} should be answered: shared when its sender asked for it. */
  public static DeliveryOptions replyOptions(Message<?> request) {
    return NAME.equals(request.headers().get(HEADER)) ? SHARED : PLAIN;
  }

  /** Whether replies sent with {@code options} reach their caller uncopied (when in this JVM). */
  public static boolean isShared(DeliveryOptions options) {
    return options == SHARED;
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject body) {
    Buffer json = body.toBuffer();
    buffer.appendInt(json.length());
    buffer.appendBuffer(json);
  }

  @Override
  public JsonObject decodeFromWire(int position, Buffer buffer) {
    int length = buffer.getInt(position);
    int start = position + Integer.BYTES;
    return new JsonObject(buffer.slice(start, start + length));
  }

  @Override
  public JsonObject transform(JsonObject body) {
    return body;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
