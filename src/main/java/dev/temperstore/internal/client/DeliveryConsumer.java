package dev.temperstore.internal.client;

import dev.temperstore.client.StoreClient;
import dev.temperstore.internal.wire.DeliveryJson;
import dev.temperstore.internal.wire.Fields;

import dev.temperstore.errors.StoreException;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.subscriptions.FeedDelivery;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event-bus consumer behind {@link StoreClient#subscribe}: decodes each delivery message, hands its events
 * out through a {@link DeliveryBatch}, and keeps the batches still unanswered so that closing refuses them at once
 * (the store then sends them again, to whoever receives the stream next, after its retry delay rather than its
 * delivery timeout).
 */
public final class DeliveryConsumer {

  /** The failure a consumer that is going away answers with. */
  static final String CLOSING = "consumer closing";

  private final Vertx vertx;
  private final MultiEmitter<? super FeedDelivery> emitter;
  private final Set<DeliveryBatch> open = ConcurrentHashMap.newKeySet();
  private final String address;
  private final MessageConsumer<Object> consumer;
  private volatile boolean closing;
  private boolean unlisted;

  private DeliveryConsumer(Vertx vertx, String address, MultiEmitter<? super FeedDelivery> emitter) {
    this.vertx = vertx;
    this.emitter = emitter;
    this.address = address;
    this.consumer = vertx.eventBus().consumer(address, this::deliver);
    TypedConsumers.add(vertx, address);
  }

  /** Registers a consumer at {@code address} that emits each delivered event on {@code emitter}. */
  public static DeliveryConsumer start(Vertx vertx, String address, MultiEmitter<? super FeedDelivery> emitter) {
    return new DeliveryConsumer(vertx, address, emitter);
  }

  /** Completes once the consumer is registered (cluster-wide, on a clustered bus). */
  public Future<Void> registered() {
    return consumer.completion();
  }

  /** Refuses the unanswered batches and any that still arrive; the consumer stays registered until {@link #close}. */
  public void refuseAll() {
    closing = true;
    open.forEach(batch -> batch.refuse(CLOSING));
    open.clear();
  }

  /** Refuses what is unanswered and unregisters. */
  public Future<Void> close() {
    refuseAll();
    synchronized (this) {
      if (!unlisted) {
        unlisted = true;
        TypedConsumers.remove(vertx, address);
      }
    }
    return consumer.unregister();
  }

  private void deliver(Message<Object> message) {
    if (closing || emitter.isCancelled()) {
      message.fail(503, CLOSING);
      return;
    }
    String tenant;
    String subscription;
    List<FeedEvent> events;
    DeliveryJson.Batch shared = DeliveryJson.shared(message.body());
    if (shared != null) { // the store's own batch, uncopied: nothing to decode
      tenant = shared.tenant();
      subscription = shared.subscription();
      events = shared.events();
    } else {
      try {
        Fields fields = Fields.body(message.body());
        tenant = fields.tenant("tenant");
        subscription = fields.string("subscription", 128);
        events = DeliveryJson.events((JsonObject) message.body()); // an object: Fields.body checked it
      } catch (StoreException e) {
        message.fail(e.code(), e.toJson().encode());
        return;
      }
    }
    open.removeIf(DeliveryBatch::answered); // at most a few: the store has one batch in flight per consumer
    DeliveryBatch batch = DeliveryBatch.start(message, vertx.getOrCreateContext(), tenant, subscription, events,
        delivery -> {
          if (!emitter.isCancelled()) {
            emitter.emit(delivery);
          }
        });
    if (batch != null) {
      open.add(batch);
      if (closing) {
        batch.refuse(CLOSING); // closed while it was being handed out
      }
    }
  }
}
