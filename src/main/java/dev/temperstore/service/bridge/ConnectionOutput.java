package dev.temperstore.service.bridge;

import dev.temperstore.internal.wire.FrameWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

/**
 * Writes one connection's frames and keeps count of the bytes not yet handed to the operating system: a client
 * that does not read its socket leaves them with the bridge. Vert.x 5's {@link NetSocket#writeQueueFull()} counts
 * queued writes, not bytes, and stays false while one large frame waits, so deliveries look at this count too
 * ({@link #congested()}). Used on the connection's event loop only.
 */
final class ConnectionOutput {

  /** Netty's default high-water mark: beyond it, the client is not keeping up. */
  static final int MAX_UNWRITTEN_BYTES = 64 * 1024;

  private final NetSocket socket;
  private long unwritten;

  ConnectionOutput(NetSocket socket) {
    this.socket = socket;
  }

  void write(JsonObject frame) {
    Buffer bytes = FrameWriter.encode(frame);
    unwritten += bytes.length();
    socket.write(bytes).onComplete(written -> unwritten -= bytes.length()); // written out, or the socket closed
  }

  /** Whether frames wait to be written: then more should not be added that the bridge could refuse instead. */
  boolean congested() {
    return unwritten > MAX_UNWRITTEN_BYTES || socket.writeQueueFull();
  }
}
