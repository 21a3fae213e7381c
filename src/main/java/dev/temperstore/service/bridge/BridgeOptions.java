package dev.temperstore.service.bridge;

import dev.temperstore.client.BridgeTls;
import java.util.Optional;

/**
 * How a bridge listens and what it allows.
 *
 * @param host           where it listens; a non-loopback host requires {@code auth}
 * @param allowSecretGet whether secrets.get, the one operation that returns plaintext, is forwarded
 * @param deliveryPrefix the addresses bridge clients may register for subscription deliveries, and that
 *                       subscriptions created through the bridge may name, are under it ({@link DeliveryAddresses})
 * @param tls            TLS on the port, when present
 */
public record BridgeOptions(String host, int port, boolean allowSecretGet, String deliveryPrefix, BridgeLimits limits,
                            Optional<BridgeAuth> auth, Optional<BridgeTls> tls) {

  public static final String DEFAULT_DELIVERY_PREFIX = "temper.bridge.delivery";

  public BridgeOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("the bridge host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("the bridge port must be between 0 and 65535, got " + port);
    }
    if (deliveryPrefix == null || deliveryPrefix.isBlank() || deliveryPrefix.startsWith(".")
        || deliveryPrefix.endsWith(".")) {
      throw new IllegalArgumentException("the bridge's delivery prefix must be a non-empty address that neither"
          + " starts nor ends with '.', got \"" + deliveryPrefix + "\"");
    }
    if (limits == null || auth == null || tls == null) {
      throw new IllegalArgumentException("limits, auth and tls must be given (auth and tls may be empty)");
    }
  }

  /** Loopback, default limits and delivery prefix, no authentication, no TLS. */
  public static BridgeOptions loopback(int port) {
    return new BridgeOptions("127.0.0.1", port, false, DEFAULT_DELIVERY_PREFIX, BridgeLimits.defaults(),
        Optional.empty(), Optional.empty());
  }

  public BridgeOptions withAllowSecretGet(boolean allow) {
    return new BridgeOptions(host, port, allow, deliveryPrefix, limits, auth, tls);
  }

  public BridgeOptions withHost(String newHost) {
    return new BridgeOptions(newHost, port, allowSecretGet, deliveryPrefix, limits, auth, tls);
  }

  public BridgeOptions withDeliveryPrefix(String prefix) {
    return new BridgeOptions(host, port, allowSecretGet, prefix, limits, auth, tls);
  }

  public BridgeOptions withLimits(BridgeLimits newLimits) {
    return new BridgeOptions(host, port, allowSecretGet, deliveryPrefix, newLimits, auth, tls);
  }

  public BridgeOptions withAuth(BridgeAuth newAuth) {
    return new BridgeOptions(host, port, allowSecretGet, deliveryPrefix, limits, Optional.of(newAuth), tls);
  }

  public BridgeOptions withTls(BridgeTls newTls) {
    return new BridgeOptions(host, port, allowSecretGet, deliveryPrefix, limits, auth, Optional.of(newTls));
  }
}
