package dev.temperstore.service.bridge;

import dev.temperstore.internal.wire.FrameWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The addresses one bridge connection has registered: each an event-bus consumer that forwards subscription
 * deliveries to the client as {@code message} frames, and fails, so that the store sends it again later, any
 * delivery the client may not have or cannot take now:
 * <ul>
 *   <li>a message that is not a delivery batch ({@code tenant}, {@code subscription}, {@code events}): 403, never
 *       forwarded; one that expects no reply is dropped;</li>
 *   <li>with authentication, a batch of a tenant the registering token does not grant {@code read} for: 403; once
 *       that token has expired or is revoked: 401, and the address is unregistered;</li>
 *   <li>while the connection's output is congested ({@link ConnectionOutput}), or {@link PendingDeliveries} is
 *       full: 503, so a client that does not read makes the bridge hold no more than its unwritten frames (one
 *       batch beyond the mark at most) and its unanswered batches.</li>
 * </ul>
 * At most {@link BridgeLimits#maxRegistrationsPerConnection()} addresses. Used on the connection's event loop only.
 */
final class Registrations {

  private static final Logger LOG = LoggerFactory.getLogger(Registrations.class);

  private final Vertx vertx;
  private final ConnectionOutput output;
  private final int max;
  private final PendingDeliveries pending;
  private final Optional<BridgeAuth> auth;
  private final Map<String, Registration> byAddress = new HashMap<>();
  private boolean closed;

  Registrations(Vertx vertx, ConnectionOutput output, BridgeLimits limits, PendingDeliveries pending,
                Optional<BridgeAuth> auth) {
    this.vertx = vertx;
    this.output = output;
    this.max = limits.maxRegistrationsPerConnection();
    this.pending = pending;
    this.auth = auth;
  }

  /**
   * Forwards {@code address}'s deliveries to this client from now on, as {@code grant} allows (every tenant
   * without authentication). Registering an address again only replaces its grant, e.g. with a fresh token.
   * Completes once the consumer is registered (on a clustered bus: known to every node).
   *
   * @return fails with a 429 {@link BridgeRefusal} at the limit
   */
  Future<Void> register(String address, Optional<Grant> grant) {
    Registration existing = byAddress.get(address);
    if (existing != null) {
      existing.grant = grant;
      return existing.consumer.completion();
    }
    if (closed) {
      return Future.failedFuture(BridgeRefusal.unavailable("the connection is closing"));
    }
    if (byAddress.size() >= max) {
      return Future.failedFuture(BridgeRefusal.tooMany("a connection registers at most " + max
          + " addresses (temper.bridge.max-registrations-per-connection)"));
    }
    Registration registration = new Registration(address, grant);
    registration.consumer = vertx.eventBus().consumer(address, message -> deliver(registration, message));
    byAddress.put(address, registration);
    return registration.consumer.completion()
        .onFailure(e -> byAddress.remove(address, registration)); // e.g. the cluster did not take it: not held
  }

  /** Whether {@code address} was registered here; it no longer is. Deliveries already sent stay answerable. */
  boolean unregister(String address) {
    Registration registration = byAddress.remove(address);
    if (registration == null) {
      return false;
    }
    registration.consumer.unregister();
    return true;
  }

  /** The connection closed: nothing more is forwarded, and what waits for the client is failed for redelivery. */
  void close() {
    closed = true;
    List<Registration> all = new ArrayList<>(byAddress.values());
    byAddress.clear();
    all.forEach(registration -> registration.consumer.unregister());
    pending.failAll("the bridge connection closed before the client answered");
  }

  private void deliver(Registration registration, Message<Object> message) {
    if (message.replyAddress() == null) {
      return; // a publish or a one-way send: not a delivery, and there is no one to tell
    }
    try {
      String tenant = tenantOf(message.body());
      checkGrant(registration, tenant);
      checkCapacity(registration.address);
    } catch (BridgeRefusal refusal) {
      LOG.debug("bridge delivery to {} failed: {}", registration.address, refusal.getMessage());
      message.fail(refusal.code(), refusal.getMessage());
      return;
    }
    String replyAddress = pending.add(message);
    output.write(new JsonObject().put("type", "message").put("address", registration.address)
        .put("replyAddress", replyAddress).put("send", true).put("body", message.body()));
  }

  /** The tenant of a delivery batch; anything else is refused, so the bridge forwards nothing but deliveries. */
  private static String tenantOf(Object body) {
    if (body instanceof JsonObject batch && batch.getValue("tenant") instanceof String tenant
        && batch.getValue("subscription") instanceof String && batch.getValue("events") instanceof JsonArray) {
      return tenant;
    }
    throw BridgeRefusal.forbidden("the bridge forwards only subscription deliveries (tenant, subscription, events)");
  }

  private void checkGrant(Registration registration, String tenant) {
    if (closed) {
      throw BridgeRefusal.unavailable("the bridge connection closed");
    }
    if (registration.grant.isEmpty()) {
      return; // no authentication configured: the bridge serves every tenant
    }
    Grant grant = registration.grant.get();
    if (grant.expired(System.currentTimeMillis())) {
      ended(registration, "has expired");
      throw BridgeRefusal.unauthenticated("expired", "the token " + registration.address
          + " was registered with has expired");
    }
    if (auth.isPresent() && auth.get().revoked(grant)) {
      ended(registration, "has been revoked");
      BridgeRefusal refusal = BridgeRefusal.unauthenticated("revoked", "the token " + registration.address
          + " was registered with has been revoked");
      auth.get().refused(refusal);
      throw refusal;
    }
    if (!grant.has(Permission.READ) || !grant.grants(tenant)) {
      throw BridgeRefusal.forbidden("the client registered at " + registration.address + " may not read tenant \""
          + Confinement.shown(tenant) + "\"");
    }
  }

  private void checkCapacity(String address) {
    if (output.congested()) {
      throw BridgeRefusal.unavailable("the bridge client at " + address + " is not reading fast enough; retry later");
    }
    if (pending.full()) {
      throw BridgeRefusal.unavailable("the bridge client at " + address + " has " + pending.max()
          + " deliveries unanswered (temper.bridge.max-deliveries-per-connection); retry later");
    }
  }

  /** Tells the client once, and stops forwarding: it registers again with a valid token to go on. */
  private void ended(Registration registration, String why) {
    if (byAddress.get(registration.address) == registration) {
      unregister(registration.address);
      output.write(FrameWriter.err(null, BridgeRefusal.UNAUTHENTICATED, "unauthorized: the token "
          + registration.address + " was registered with " + why + "; it is unregistered (register it again with a"
          + " fresh token)").put("sourceAddress", registration.address));
    }
  }

  private static final class Registration {

    private final String address;
    private Optional<Grant> grant;
    private MessageConsumer<Object> consumer;

    private Registration(String address, Optional<Grant> grant) {
      this.address = address;
      this.grant = grant;
    }
  }
}
