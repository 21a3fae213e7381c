package dev.temperstore.feed.subscriptions.delivery;

import dev.temperstore.bus.DeliveryJson;
import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.feed.subscriptions.pg.PgSubscriptionStore;
import dev.temperstore.feed.subscriptions.pg.SubscriptionRow;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One claimed subscription's delivery loop, run on one context (every field is touched only there).
 *
 * <p>It reads pages of the feed after its position into a window, in feed order, and sends the window's first
 * events, at most {@code credit} (and {@link #MAX_BATCH}), as one event-bus request; the reply acknowledges the
 * whole batch. One batch is in flight at a time, so at most {@code credit} events are unacknowledged and the
 * batches reach the consumer in feed order; a failed or unanswered batch is sent again, from the same first event,
 * after {@code retryDelay}, and nothing after it goes out meanwhile, so each stream stays in order across retries.
 * (The consumer's side hands out each stream's events of a batch one after the other, see
 * {@code StoreClient.subscribe}.) The checkpoint is the last event of the last acknowledged batch; it is saved
 * after {@code checkpointEvery} acknowledged events or {@code checkpointInterval}, whichever comes first. Caught
 * up, it waits for a wake-up (LISTEN) or its poll interval.
 */
final class Deliverer {

  private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);

  /** Events read ahead and not yet past the checkpoint, per unit of credit. */
  private static final int WINDOW_PER_CREDIT = 4;
  /**
   * Events read ahead at least, whatever the credit. Every feed read waits its turn behind a busy store's appends,
   * so a read of one batch's worth per batch held delivery to about 2,000 events/s (docs/benchmarks.md).
   */
  private static final int MIN_WINDOW = 1024;
  /** Events per delivery message at most: bounds the JSON built, and its size, on the deliverer's event loop. */
  private static final int MAX_BATCH = DeliveryJson.MAX_EVENTS;

  private final Vertx vertx;
  private final Context context;
  private final SubscriptionRow subscription;
  private final Feed feed;
  private final PgSubscriptionStore store;
  private final SubscriptionSettings settings;
  private final int readLimit;
  private final int maxWindow;
  private final Consumer<Deliverer> onStale;
  private final DeliveryOptions options;

  private final int maxBatch;
  private final ArrayDeque<FeedEvent> window = new ArrayDeque<>();
  private FeedPosition readAfter;
  private FeedPosition acknowledged;
  private FeedPosition saved;
  private int inFlight;
  private int unsavedAcks;
  private boolean reading;
  private boolean caughtUp;
  private boolean wokenWhileReading;
  private boolean saving;
  private boolean retrying;
  private boolean stopped;
  private long pollTimer = -1;
  private long retryTimer = -1;
  private long saveTimer = -1;

  /**
   * @param readLimit the most events one page may hold (the feed's own limit)
   * @param onStale   called once when the stored subscription changed under it (reset, deleted, re-created)
   */
  Deliverer(Vertx vertx, Context context, SubscriptionRow subscription, Feed feed, PgSubscriptionStore store,
            SubscriptionSettings settings, int readLimit, Consumer<Deliverer> onStale) {
    this.vertx = vertx;
    this.context = context;
    this.subscription = subscription;
    this.feed = feed;
    this.store = store;
    this.settings = settings;
    this.maxWindow = Math.max(settings.credit() * WINDOW_PER_CREDIT, MIN_WINDOW);
    this.maxBatch = Math.min(settings.credit(), MAX_BATCH);
    this.readLimit = Math.max(1, Math.min(readLimit, maxWindow));
    this.onStale = onStale;
    this.options = new DeliveryOptions().setSendTimeout(settings.deliveryTimeout().toMillis());
    this.readAfter = subscription.checkpoint();
    this.acknowledged = subscription.checkpoint();
    this.saved = subscription.checkpoint();
  }

  SubscriptionRow subscription() {
    return subscription;
  }

  /** Every event up to here is acknowledged (saved or about to be). */
  FeedPosition acknowledged() {
    return acknowledged;
  }

  /** Events sent and not yet acknowledged: the batch in flight. */
  int inFlight() {
    return inFlight;
  }

  void start() {
    LOG.info("delivering subscription {} to {} after {}", subscription.id(), subscription.address(), readAfter);
    pump();
  }

  /** Something was written: read now rather than at the next poll. */
  void wake() {
    if (stopped) {
      return;
    }
    if (reading) {
      wokenWhileReading = true;
      return;
    }
    caughtUp = false;
    pump();
  }

  /**
   * Stops sending and ignores replies still to come (their events are delivered again by the next deliverer),
   * then saves the checkpoint reached; completes when saved or the save failed.
   */
  Future<Void> stop() {
    if (stopped) {
      return Future.succeededFuture();
    }
    stopped = true;
    cancel(pollTimer);
    cancel(retryTimer);
    cancel(saveTimer);
    if (acknowledged.equals(saved)) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    FeedPosition target = acknowledged;
    store.saveCheckpoint(subscription, target).subscribe().with(
        ok -> done.tryComplete(),
        e -> {
          LOG.warn("subscription {}: could not save checkpoint {} on stop ({}); its events after {} will be"
              + " delivered again", subscription.id(), target, e.getMessage(), saved);
          done.tryComplete();
        });
    return done.future();
  }

  private void pump() {
    if (stopped) {
      return;
    }
    if (!retrying) {
      send();
    }
    // behind, it reads once half the window is free: a few big reads rather than many small ones
    if (!reading && !caughtUp && maxWindow - window.size() >= Math.min(readLimit, maxWindow / 2)) {
      read();
    }
  }

  /** Sends the window's first events as one batch, unless a batch is already in flight. */
  private void send() {
    if (inFlight > 0 || window.isEmpty()) {
      return;
    }
    List<FeedEvent> batch = new ArrayList<>(Math.min(maxBatch, window.size()));
    for (FeedEvent event : window) {
      if (batch.size() == maxBatch) {
        break;
      }
      batch.add(event);
    }
    inFlight = batch.size();
    vertx.eventBus().request(subscription.address(),
            DeliveryJson.encode(subscription.tenant(), subscription.name(), batch), options)
        .onComplete(reply -> onContext(() -> {
          if (stopped) {
            return;
          }
          inFlight = 0;
          if (reply.succeeded()) {
            acknowledge(batch.size());
          } else {
            pause(batch, reply.cause());
          }
          pump();
        }));
  }

  /** Moves the checkpoint over the acknowledged batch: the window's first {@code count} events. */
  private void acknowledge(int count) {
    for (int i = 0; i < count; i++) {
      acknowledged = window.pollFirst().position();
    }
    unsavedAcks += count;
    advance();
  }

  private void advance() {
    if (unsavedAcks >= settings.checkpointEvery()) {
      save();
    } else if (unsavedAcks > 0 && saveTimer == -1) {
      saveTimer = vertx.setTimer(settings.checkpointInterval().toMillis(), id -> {
        saveTimer = -1;
        save();
      });
    }
  }

  private void pause(List<FeedEvent> batch, Throwable cause) {
    if (!retrying) {
      LOG.warn("subscription {}: delivery of {} events from {} to {} failed: {}; retrying in {} ms",
          subscription.id(), batch.size(), batch.get(0).position(), subscription.address(), cause.getMessage(),
          settings.retryDelay().toMillis());
    }
    retrying = true;
    cancel(retryTimer);
    retryTimer = vertx.setTimer(settings.retryDelay().toMillis(), id -> {
      retryTimer = -1;
      retrying = false;
      pump();
    });
  }

  private void read() {
    reading = true;
    wokenWhileReading = false;
    cancel(pollTimer);
    pollTimer = -1;
    int limit = Math.min(readLimit, maxWindow - window.size());
    Uni<FeedPage> page = feed.readAll(subscription.tenant(), readAfter, subscription.filter(), limit);
    page.subscribe().with(
        read -> onContext(() -> {
          reading = false;
          if (stopped) {
            return;
          }
          window.addAll(read.events());
          readAfter = read.next();
          caughtUp = !read.hasMore() && !wokenWhileReading;
          if (caughtUp) {
            poll(settings.pollInterval().toMillis());
          }
          pump();
        }),
        failure -> onContext(() -> {
          reading = false;
          if (stopped) {
            return;
          }
          LOG.warn("subscription {}: feed read after {} failed: {}; retrying in {} ms", subscription.id(), readAfter,
              failure.getMessage(), settings.retryDelay().toMillis());
          caughtUp = true;
          poll(settings.retryDelay().toMillis());
        }));
  }

  private void poll(long delayMillis) {
    cancel(pollTimer);
    pollTimer = vertx.setTimer(delayMillis, id -> {
      pollTimer = -1;
      caughtUp = false;
      pump();
    });
  }

  private void save() {
    cancel(saveTimer);
    saveTimer = -1;
    if (saving || stopped || acknowledged.equals(saved)) {
      return;
    }
    saving = true;
    unsavedAcks = 0;
    FeedPosition target = acknowledged;
    store.saveCheckpoint(subscription, target).subscribe().with(
        stored -> onContext(() -> {
          saving = false;
          if (stopped) {
            return;
          }
          if (!stored) {
            LOG.info("subscription {} was reset, deleted or re-created: its deliverer stops", subscription.id());
            onStale.accept(this);
            return;
          }
          saved = target;
          if (!acknowledged.equals(saved)) {
            advance(); // acknowledgements that came in while saving
          }
        }),
        failure -> onContext(() -> {
          saving = false;
          if (stopped) {
            return;
          }
          LOG.warn("subscription {}: saving checkpoint {} failed: {}; retrying", subscription.id(), target,
              failure.getMessage());
          if (saveTimer == -1) {
            saveTimer = vertx.setTimer(settings.retryDelay().toMillis(), id -> {
              saveTimer = -1;
              save();
            });
          }
        }));
  }

  private void cancel(long timer) {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(ignored -> action.run());
    }
  }
}
