package dev.temperstore.internal.wire;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.function.Consumer;

/**
 * Splits a connection's bytes into bridge frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON
 * holding one object. The length is checked as soon as its 4 bytes arrive, before any of the frame is buffered, so
 * a prefix over the limit costs nothing. The first violation is reported once and every later byte is ignored: the
 * caller closes the connection.
 *
 * <p>{@link #pause()} stops delivering frames; bytes that keep arriving (the socket's own pause takes effect only
 * after the chunk in hand) wait here, and {@link #resume()} delivers them.
 */
public final class FrameReader implements Handler<Buffer> {

  private static final int LENGTH_BYTES = 4;

  private final int maxFrameBytes;
  private final String limitName;
  private final Consumer<JsonObject> frames;
  private final Consumer<String> violations;
  private Buffer pending = Buffer.buffer();
  private int position;
  private int frameLength = -1;
  private boolean paused;
  private boolean failed;

  /**
   * @param maxFrameBytes the largest JSON frame accepted, in bytes (the length prefix excluded)
   * @param frames        receives each frame, in order
   * @param violations    receives the one protocol violation, as a message naming it
   */
  /** {@code limitName} says in a violation where the limit comes from, e.g. the setting that made it. */
  public FrameReader(int maxFrameBytes, String limitName, Consumer<JsonObject> frames, Consumer<String> violations) {
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("maxFrameBytes must be at least 1, got " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
    this.limitName = limitName;
    this.frames = frames;
    this.violations = violations;
  }

  @Override
  public void handle(Buffer bytes) {
    if (failed) {
      return;
    }
    pending.appendBuffer(bytes);
    drain();
  }

  public void pause() {
    paused = true;
  }

  /** Delivers the frames that waited while paused, unless a handler pauses again. */
  public void resume() {
    paused = false;
    drain();
  }

  public boolean paused() {
    return paused;
  }

  private void drain() {
    while (!paused && !failed) {
      int available = pending.length() - position;
      if (frameLength < 0) {
        if (available < LENGTH_BYTES) {
          break;
        }
        int length = pending.getInt(position);
        position += LENGTH_BYTES;
        if (length <= 0 || length > maxFrameBytes) {
          fail("frame length " + length + " is not between 1 and " + maxFrameBytes
              + " bytes (" + limitName + ")");
          break;
        }
        frameLength = length;
        continue;
      }
      if (available < frameLength) {
        break;
      }
      Buffer json = pending.slice(position, position + frameLength);
      position += frameLength;
      frameLength = -1;
      JsonObject frame = decode(json);
      if (frame != null) {
        frames.accept(frame);
      }
    }
    compact();
  }

  /** Drops the bytes already consumed, so that the buffer holds at most one frame and one chunk. */
  private void compact() {
    if (failed) {
      pending = Buffer.buffer();
      position = 0;
    } else if (position > 0) {
      pending = position == pending.length() ? Buffer.buffer() : pending.getBuffer(position, pending.length());
      position = 0;
    }
  }

  /** Decimals are kept exact ({@link FrameJson}), for the store's input gate to judge. */
  private JsonObject decode(Buffer json) {
    try {
      return FrameJson.parseObject(json);
    } catch (DecodeException e) {
      fail(e.getMessage());
      return null;
    }
  }

  private void fail(String message) {
    failed = true;
    violations.accept(message);
  }
}
