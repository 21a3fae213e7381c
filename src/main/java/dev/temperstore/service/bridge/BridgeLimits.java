package dev.temperstore.service.bridge;

import java.time.Duration;

/**
 * What one bridge may take from its clients, so that no client can hang it or exhaust its memory.
 *
 * @param maxFrameBytes               the largest frame accepted (its JSON, in bytes); a longer length prefix is
 *                                    refused before anything of the frame is buffered
 * @param maxOutstandingPerConnection requests of one connection forwarded and not yet answered; at the limit the
 *                                    bridge stops reading that connection until replies drain
 * @param idleTimeout                 a connection with nothing read or written for this long is closed
 * @param maxConnections              connections served at once; one more is sent an {@code err} frame and closed
 * @param requestTimeout              how long the bridge waits for the store's reply; longer than the store's own
 *                                    deadline, so that a store that is up always answers first
 */
public record BridgeLimits(int maxFrameBytes, int maxOutstandingPerConnection, Duration idleTimeout,
                           int maxConnections, Duration requestTimeout) {

  /** 16 MiB: a 4 MiB snapshot or 1,000 small events, escaped as JSON, fit well within it. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_MAX_OUTSTANDING_PER_CONNECTION = 256;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  /** The default statement timeout (30 s) plus 5 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(35);

  public BridgeLimits {
    atLeastOne("maxFrameBytes", maxFrameBytes);
    atLeastOne("maxOutstandingPerConnection", maxOutstandingPerConnection);
    atLeastOne("maxConnections", maxConnections);
    positive("idleTimeout", idleTimeout);
    positive("requestTimeout", requestTimeout);
  }

  public static BridgeLimits defaults() {
    return new BridgeLimits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_OUTSTANDING_PER_CONNECTION, DEFAULT_IDLE_TIMEOUT,
        DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT);
  }

  public BridgeLimits withMaxFrameBytes(int bytes) {
    return new BridgeLimits(bytes, maxOutstandingPerConnection, idleTimeout, maxConnections, requestTimeout);
  }

  public BridgeLimits withMaxOutstandingPerConnection(int requests) {
    return new BridgeLimits(maxFrameBytes, requests, idleTimeout, maxConnections, requestTimeout);
  }

  public BridgeLimits withIdleTimeout(Duration timeout) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, timeout, maxConnections, requestTimeout);
  }

  public BridgeLimits withMaxConnections(int connections) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, idleTimeout, connections, requestTimeout);
  }

  public BridgeLimits withRequestTimeout(Duration timeout) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, idleTimeout, maxConnections, timeout);
  }

  private static void atLeastOne(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
    }
  }
}
