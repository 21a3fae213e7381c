package dev.temperstore.service.bridge;

import dev.temperstore.protocol.Addresses;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.internal.input.Text;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * Where bridge clients receive subscription deliveries: under the delivery prefix, one space per tenant,
 * {@code <prefix>.<tenant>.<anything>}. A client registers only in the space of a tenant it may read, and a
 * subscription created (or a group member joined) through the bridge delivers only into its own tenant's space,
 * so that one tenant's client cannot sit on the address another tenant's subscription delivers to. The prefix
 * and the store's own never overlap: a client that could register a store address would be handed the store's
 * requests.
 *
 * <p>The space is a first line; what decides is the tenant of each delivery, checked against the registering
 * token as it is forwarded ({@link Registrations}), since a subscription created on the event bus may name any
 * address.
 */
final class DeliveryAddresses {

  private final String prefix;

  /** @throws IllegalArgumentException when {@code prefix} and the store's prefix overlap, naming both keys */
  DeliveryAddresses(String prefix, Addresses store) {
    if (overlap(prefix, store.prefix())) {
      throw new IllegalArgumentException("temper.bridge.delivery-prefix \"" + prefix + "\" overlaps the store's"
          + " prefix \"" + store.prefix() + "\" (temper.bus.prefix): bridge clients could register the store's"
          + " own addresses; choose a prefix outside it, e.g. " + BridgeOptions.DEFAULT_DELIVERY_PREFIX);
    }
    this.prefix = prefix;
  }

  /** Whether one prefix is the other or lies under it. */
  static boolean overlap(String one, String other) {
    return one.equals(other) || one.startsWith(other + ".") || other.startsWith(one + ".");
  }

  /** The addresses of {@code tenant}'s deliveries start with this. */
  String space(String tenant) {
    return prefix + "." + tenant + ".";
  }

  /**
   * The address a {@code register} frame names, when it may register it: without authentication, any under the
   * prefix; with it, one in the space of a tenant the token grants, with the {@code read} permission.
   *
   * @throws BridgeRefusal 400 when it is not an address a subscription could name, 403 when it lies outside what
   *                       the grant allows
   */
  String registrable(Object address, Optional<Grant> grant) {
    if (!(address instanceof String text) || text.isEmpty() || text.length() > Subscription.MAX_ADDRESS_LENGTH) {
      throw BridgeRefusal.malformed("register and unregister need an \"address\" string of 1 to "
          + Subscription.MAX_ADDRESS_LENGTH + " characters");
    }
    String problem = Text.problem(text); // no subscription could ever name it
    if (problem != null) {
      throw BridgeRefusal.malformed("address " + problem);
    }
    if (text.length() <= prefix.length() + 1 || !text.startsWith(prefix + ".")) {
      throw BridgeRefusal.forbidden("only addresses under " + prefix + ". (temper.bridge.delivery-prefix) may be"
          + " registered, got \"" + Confinement.shown(text) + "\"");
    }
    if (grant.isPresent()) {
      if (!grant.get().has(Permission.READ)) {
        throw BridgeRefusal.forbidden("token lacks the \"read\" permission to register \"" + Confinement.shown(text)
            + "\"");
      }
      if (!grant.get().allTenants() && grant.get().tenants().stream().noneMatch(tenant -> inSpace(text, tenant))) {
        throw BridgeRefusal.forbidden("\"" + Confinement.shown(text) + "\" is not in the space of a tenant the"
            + " token grants (" + prefix + ".<tenant>.<name>)");
      }
    }
    return text;
  }

  /**
   * For {@code subscriptions.create} and {@code subscriptions.join}: the {@code address} deliveries will go to
   * must lie in the tenant's space. Other operations pass.
   *
   * @throws BridgeRefusal 400 when the address is not a string, 403 when it lies outside the space
   */
  void checkRequest(BridgeOperation operation, Object body) {
    if (operation != BridgeOperation.SUBSCRIPTIONS_CREATE && operation != BridgeOperation.SUBSCRIPTIONS_JOIN) {
      return;
    }
    String tenant = operation.tenants(body).get(0); // the body is an object with a tenant, or this refuses it
    String space = space(tenant);
    if (!(((JsonObject) body).getValue("address") instanceof String address)) {
      throw BridgeRefusal.malformed("address is missing or not a string (through the bridge it must lie under "
          + Confinement.shown(space) + ")");
    }
    if (!inSpace(address, tenant)) {
      throw BridgeRefusal.forbidden("through the bridge, subscriptions and members deliver under "
          + Confinement.shown(space) + " (temper.bridge.delivery-prefix), got \"" + Confinement.shown(address) + "\"");
    }
  }

  private boolean inSpace(String address, String tenant) {
    String space = space(tenant);
    return address.length() > space.length() && address.startsWith(space);
  }
}
