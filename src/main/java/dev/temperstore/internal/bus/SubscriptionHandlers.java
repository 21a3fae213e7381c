package dev.temperstore.internal.bus;

import dev.temperstore.internal.wire.FeedJson;
import dev.temperstore.internal.wire.Fields;
import dev.temperstore.protocol.Addresses;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.feed.subscriptions.SubscriptionStatus;
import dev.temperstore.feed.subscriptions.Subscriptions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Durable subscriptions' management on the bus: create, list, reset, delete; consumer groups' join and leave. */
public final class SubscriptionHandlers {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Subscriptions subscriptions;
  private final Addresses addresses;
  private final EventBus bus;

  /**
   * {@code addresses} are the store's own: a subscription may not deliver to them. After every change this
   * process's deliverers are told on {@link Addresses#SUBSCRIPTIONS_CHANGED}.
   */
  public SubscriptionHandlers(Subscriptions subscriptions, Addresses addresses, EventBus bus) {
    this.subscriptions = subscriptions;
    this.addresses = addresses;
    this.bus = bus;
  }

  public void register(Endpoints endpoints) {
    endpoints.serve(Addresses.SUBSCRIPTIONS_CREATE, this::create)
        .serve(Addresses.SUBSCRIPTIONS_LIST, this::list)
        .serve(Addresses.SUBSCRIPTIONS_RESET, this::reset)
        .serve(Addresses.SUBSCRIPTIONS_DELETE, this::delete)
        .serve(Addresses.SUBSCRIPTIONS_JOIN, this::join)
        .serve(Addresses.SUBSCRIPTIONS_LEAVE, this::leave);
  }

  private Uni<JsonObject> create(Fields request) {
    String tenant = request.tenant("tenant");
    String name = name(request);
    String address = address(request);
    var filter = FeedJson.filter(request);
    FeedPosition from = position(request, "from", false);
    Subscription subscription = new Subscription(tenant, name, address, filter, from);
    return subscriptions.createSubscription(subscription).invoke(created -> changedIf(created))
        .map(created -> new JsonObject().put("created", created));
  }

  private Uni<JsonObject> list(Fields request) {
    String tenant = request.tenant("tenant");
    return subscriptions.listSubscriptions(tenant).map(statuses -> new JsonObject().put("subscriptions",
        new JsonArray(statuses.stream().map(SubscriptionHandlers::status).toList())));
  }

  private Uni<JsonObject> reset(Fields request) {
    String tenant = request.tenant("tenant");
    String name = name(request);
    FeedPosition position = position(request, "position", true);
    return subscriptions.resetSubscription(tenant, name, position).invoke(this::changed)
        .map(ignored -> new JsonObject().put("reset", true));
  }

  private Uni<JsonObject> delete(Fields request) {
    String tenant = request.tenant("tenant");
    String name = name(request);
    return subscriptions.deleteSubscription(tenant, name).invoke(deleted -> changedIf(deleted))
        .map(deleted -> new JsonObject().put("deleted", deleted));
  }

  private Uni<JsonObject> join(Fields request) {
    String tenant = request.tenant("tenant");
    String name = name(request);
    String member = member(request);
    String address = address(request);
    return subscriptions.joinSubscription(tenant, name, member, address)
        .invoke(lease -> changedIf(lease.joined())) // a renewal changes nothing
        .map(lease -> new JsonObject()
        .put("joined", lease.joined())
        .put("expiresAt", lease.expiresAt().toString())
        .put("leaseMillis", lease.lease().toMillis()));
  }

  private Uni<JsonObject> leave(Fields request) {
    String tenant = request.tenant("tenant");
    String name = name(request);
    String member = member(request);
    return subscriptions.leaveSubscription(tenant, name, member).invoke(left -> changedIf(left))
        .map(left -> new JsonObject().put("left", left));
  }

  /** Committed: this process's deliverers look again now (other processes at their next claim round). */
  private void changed() {
    bus.publish(addresses.of(Addresses.SUBSCRIPTIONS_CHANGED), null, LOCAL);
  }

  private void changedIf(boolean changed) {
    if (changed) {
      changed();
    }
  }

  static JsonObject status(SubscriptionStatus status) {
    return FeedJson.filter(status.filter(), new JsonObject()
        .put("name", status.name())
        .put("address", status.address()))
        .put("checkpoint", status.checkpoint().toString())
        .put("checkpointedAt", status.checkpointedAt().toString())
        .put("lagEvents", status.lagEvents())
        .put("lagSeconds", status.lagSeconds())
        .put("members", new JsonArray(status.members().stream().map(member -> new JsonObject()
            .put("member", member.name())
            .put("address", member.address())
            .put("expiresAt", member.expiresAt().toString())).toList()));
  }

  /** A delivery address: not one of the store's own, where a delivery would be taken for a request. */
  private String address(Fields request) {
    String address = request.string("address", Subscription.MAX_ADDRESS_LENGTH);
    if (address.startsWith(addresses.prefix() + ".")) {
      throw new InvalidRequest("address must not be one of the store's own addresses (under " + addresses.prefix()
          + "), got \"" + address + "\"");
    }
    return address;
  }

  private static String member(Fields request) {
    String member = request.string("member", 128);
    try {
      return Subscription.checkMemberName(member);
    } catch (InvalidRequest e) {
      throw new InvalidRequest(request.where("member") + ": " + e.getMessage());
    }
  }

  private static String name(Fields request) {
    String name = request.string("name", 128);
    try {
      return Subscription.checkName(name);
    } catch (InvalidRequest e) {
      throw new InvalidRequest(request.where("name") + ": " + e.getMessage());
    }
  }

  private static FeedPosition position(Fields request, String field, boolean required) {
    var text = required ? java.util.Optional.of(request.string(field, 64)) : request.optionalString(field, 64);
    return text.map(value -> FeedPosition.parse(request.where(field), value)).orElse(FeedPosition.START);
  }
}
