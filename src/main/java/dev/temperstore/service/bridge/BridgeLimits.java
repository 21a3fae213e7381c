package dev.temperstore.service.bridge;

import dev.temperstore.feed.subscriptions.SubscriptionSettings;

import java.time.Duration;

/**
 * What one bridge may take from its clients, so that no client can hang it or exhaust its memory.
 *
 * @param maxFrameBytes                  the largest frame accepted (its JSON, in bytes); a longer length prefix is
 *                                       refused before anything of the frame is buffered
 * @param maxOutstandingPerConnection    requests of one connection forwarded and not yet answered; at the limit the
 *                                       bridge stops reading that connection until replies drain
 * @param idleTimeout                    a connection with nothing read or written for this long is closed
 * @param maxConnections                 connections served at once; one more is sent an {@code err} frame and closed
 * @param requestTimeout                 how long the bridge waits for the store's reply; longer than the store's
 *                                       own deadline, so that a store that is up always answers first
 * @param maxRegistrationsPerConnection  addresses one connection may register for deliveries
 * @param maxDeliveriesPerConnection     deliveries forwarded to one connection and not yet answered; one more is
 *                                       failed back to the store at once, which delivers it again later
 * @param deliveryTimeout                how long a forwarded delivery may be answered: the store's own delivery
 *                                       timeout ({@code temper.subscriptions.delivery-timeout}), after which it
 *                                       sends the batch again anyway; an expired one is failed back with 504,
 *                                       which the store counts as a timeout
 */
public record BridgeLimits(int maxFrameBytes, int maxOutstandingPerConnection, Duration idleTimeout,
                           int maxConnections, Duration requestTimeout, int maxRegistrationsPerConnection,
                           int maxDeliveriesPerConnection, Duration deliveryTimeout) {

  /** 16 MiB: a 4 MiB snapshot or 1,000 small events, escaped as JSON, fit well within it. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_MAX_OUTSTANDING_PER_CONNECTION = 256;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  /** The default statement timeout (30 s) plus 5 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(35);
  public static final int DEFAULT_MAX_REGISTRATIONS_PER_CONNECTION = 16;
  /** Each holds one batch (at most 256 events) until the client answers it. */
  public static final int DEFAULT_MAX_DELIVERIES_PER_CONNECTION = 64;
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = SubscriptionSettings.DEFAULT_DELIVERY_TIMEOUT;

  public BridgeLimits {
    atLeastOne("maxFrameBytes", maxFrameBytes);
    atLeastOne("maxOutstandingPerConnection", maxOutstandingPerConnection);
    atLeastOne("maxConnections", maxConnections);
    atLeastOne("maxRegistrationsPerConnection", maxRegistrationsPerConnection);
    atLeastOne("maxDeliveriesPerConnection", maxDeliveriesPerConnection);
    positive("idleTimeout", idleTimeout);
    positive("requestTimeout", requestTimeout);
    positive("deliveryTimeout", deliveryTimeout);
  }

  public static BridgeLimits defaults() {
    return new BridgeLimits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_OUTSTANDING_PER_CONNECTION, DEFAULT_IDLE_TIMEOUT,
        DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_REGISTRATIONS_PER_CONNECTION,
        DEFAULT_MAX_DELIVERIES_PER_CONNECTION, DEFAULT_DELIVERY_TIMEOUT);
  }

  public BridgeLimits withMaxFrameBytes(int bytes) {
    return new BridgeLimits(bytes, maxOutstandingPerConnection, idleTimeout, maxConnections, requestTimeout,
        maxRegistrationsPerConnection, maxDeliveriesPerConnection, deliveryTimeout);
  }

  public BridgeLimits withMaxOutstandingPerConnection(int requests) {
    return new BridgeLimits(maxFrameBytes, requests, idleTimeout, maxConnections, requestTimeout,
        maxRegistrationsPerConnection, maxDeliveriesPerConnection, deliveryTimeout);
  }

  public BridgeLimits withIdleTimeout(Duration timeout) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, timeout, maxConnections, requestTimeout,
        maxRegistrationsPerConnection, maxDeliveriesPerConnection, deliveryTimeout);
  }

  public BridgeLimits withMaxConnections(int connections) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, idleTimeout, connections, requestTimeout,
        maxRegistrationsPerConnection, maxDeliveriesPerConnection, deliveryTimeout);
  }

  public BridgeLimits withRequestTimeout(Duration timeout) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, idleTimeout, maxConnections, timeout,
        maxRegistrationsPerConnection, maxDeliveriesPerConnection, deliveryTimeout);
  }

  public BridgeLimits withMaxRegistrationsPerConnection(int registrations) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, idleTimeout, maxConnections, requestTimeout,
        registrations, maxDeliveriesPerConnection, deliveryTimeout);
  }

  public BridgeLimits withMaxDeliveriesPerConnection(int deliveries) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, idleTimeout, maxConnections, requestTimeout,
        maxRegistrationsPerConnection, deliveries, deliveryTimeout);
  }

  public BridgeLimits withDeliveryTimeout(Duration timeout) {
    return new BridgeLimits(maxFrameBytes, maxOutstandingPerConnection, idleTimeout, maxConnections, requestTimeout,
        maxRegistrationsPerConnection, maxDeliveriesPerConnection, timeout);
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
