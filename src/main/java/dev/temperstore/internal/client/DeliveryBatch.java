package dev.temperstore.internal.client;

import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.subscriptions.FeedDelivery;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.Context;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One delivery message's events handed to a consumer one {@link FeedDelivery} each, and answered as one: the
 * message is acknowledged once every event is, and failed at the first refusal (the store then sends the batch
 * again from its first event, so the rest of it is not handed out).
 *
 * <p>A stream's next event is handed out only once its previous one is acknowledged, as when each event was its
 * own message: a consumer that answers out of order still sees every stream in order, retries included. Events are
 * handed out on the context the message arrived on; answers may come from any thread, hence the lock, which is
 * never held while the consumer's code or the event bus runs.
 */
final class DeliveryBatch {

  private final Message<?> message;
  private final Context context;
  private final String tenant;
  private final String subscription;
  private final Consumer<FeedDelivery> emit;
  /** Per stream, its events of this batch after the one handed out. */
  private final Map<PersistenceId, ArrayDeque<FeedEvent>> waiting = new HashMap<>();
  /** Events whose turn came, still to be handed out. */
  private final ArrayDeque<FeedEvent> ready = new ArrayDeque<>();
  private int unacknowledged;
  private boolean answered;
  private boolean draining;

  private DeliveryBatch(Message<?> message, Context context, String tenant, String subscription,
                        Consumer<FeedDelivery> emit) {
    this.message = message;
    this.context = context;
    this.tenant = tenant;
    this.subscription = subscription;
    this.emit = emit;
  }

  /**
   * Hands out {@code events} (in feed order) of {@code message}, which arrived on {@code context}; the batch, to
   * {@link #refuse} should the consumer go away first, or null when it was answered at once (no events).
   */
  static DeliveryBatch start(Message<?> message, Context context, String tenant, String subscription,
                             List<FeedEvent> events, Consumer<FeedDelivery> emit) {
    if (events.isEmpty()) {
      message.reply(new JsonObject());
      return null;
    }
    DeliveryBatch batch = new DeliveryBatch(message, context, tenant, subscription, emit);
    synchronized (batch) {
      for (FeedEvent event : events) {
        ArrayDeque<FeedEvent> later = batch.waiting.get(event.persistenceId());
        if (later == null) {
          batch.waiting.put(event.persistenceId(), new ArrayDeque<>());
          batch.ready.add(event);
        } else {
          later.add(event);
        }
      }
      batch.unacknowledged = events.size();
      batch.draining = true;
    }
    batch.drain();
    return batch;
  }

  /** Whether the batch is answered (acknowledged or refused). */
  synchronized boolean answered() {
    return answered;
  }

  /** Hands out what is ready, on the context; acknowledgements made meanwhile add to it rather than recurse. */
  private void drain() {
    while (true) {
      FeedEvent next;
      synchronized (this) {
        next = answered ? null : ready.poll();
        if (next == null) {
          draining = false;
          return;
        }
      }
      emit.accept(delivery(next));
    }
  }

  private FeedDelivery delivery(FeedEvent event) {
    AtomicBoolean answeredOnce = new AtomicBoolean();
    return new FeedDelivery(tenant, subscription, event,
        () -> {
          if (answeredOnce.compareAndSet(false, true)) {
            acknowledged(event);
          }
        },
        reason -> {
          if (answeredOnce.compareAndSet(false, true)) {
            refused(reason);
          }
        });
  }

  private void acknowledged(FeedEvent event) {
    boolean reply = false;
    boolean schedule = false;
    synchronized (this) {
      if (answered) {
        return;
      }
      if (--unacknowledged == 0) {
        answered = true;
        reply = true;
      } else {
        FeedEvent next = waiting.get(event.persistenceId()).poll();
        if (next != null) {
          ready.add(next);
          schedule = !draining;
          draining = true;
        }
      }
    }
    if (reply) {
      message.reply(new JsonObject());
    } else if (schedule) {
      context.runOnContext(ignored -> drain());
    }
  }

  /** Refuses the batch unless it is answered already: the store sends it again after its retry delay. */
  void refuse(String reason) {
    refused(reason);
  }

  private void refused(String reason) {
    synchronized (this) {
      if (answered) {
        return;
      }
      answered = true;
      ready.clear();
    }
    message.fail(503, String.valueOf(reason));
  }
}
