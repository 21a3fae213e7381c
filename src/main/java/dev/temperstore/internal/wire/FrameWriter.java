package dev.temperstore.internal.wire;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

/** Writes bridge frames: a 4-byte big-endian length, then the frame's JSON in UTF-8. */
public final class FrameWriter {

  private FrameWriter() {
  }

  public static Buffer encode(JsonObject frame) {
    Buffer json = frame.toBuffer();
    return Buffer.buffer(json.length() + 4).appendInt(json.length()).appendBuffer(json);
  }

  public static Future<Void> write(NetSocket socket, JsonObject frame) {
    return socket.write(encode(frame));
  }

  /** An {@code err} frame; addressed to {@code replyAddress} when there is one, so the client knows which request. */
  public static JsonObject err(String replyAddress, int failureCode, String message) {
    JsonObject frame = new JsonObject().put("type", "err");
    if (replyAddress != null) {
      frame.put("address", replyAddress);
    }
    return frame.put("failureCode", failureCode).put("message", message);
  }
}
