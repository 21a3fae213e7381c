package dev.temperstore.feed.subscriptions.delivery;

import dev.temperstore.bus.DeliveryJson;
import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.feed.subscriptions.pg.PgSubscriptionStore;
import dev.temperstore.feed.subscriptions.pg.SubscriptionRow;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One claimed subscription's delivery loop, run on one context (every field is touched only there).
 *
 * <p>It reads pages of the feed after its position into a window, in feed order, and sends each event as an
 * event-bus request; the reply is the acknowledgement. At most {@code credit} requests are unanswered at once,
 * and an event is sent only when no earlier event of its stream is unacknowledged, so each stream's events reach
 * the consumer one after the other, in order, even across retries; other streams' events go on meanwhile. The
 * checkpoint is the last position up to which every event is acknowledged; it is saved after
 * {@code checkpointEvery} acknowledgements or {@code checkpointInterval}, whichever comes first. A failed or
 * unanswered delivery is sent again after {@code retryDelay}. Caught up, it waits for a wake-up (LISTEN) or its
 * poll interval.
 */
final class Deliverer {

  private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);

  /** Events read ahead and not yet past the checkpoint, per unit of credit. */
  private static final int WINDOW_PER_CREDIT = 4;

  private enum State { NEW, SENT, ACKED }

  private static final class Slot {
    final FeedEvent event;
    State state = State.NEW;

    Slot(FeedEvent event) {
      this.event = event;
    }
  }

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

  private final ArrayDeque<Slot> window = new ArrayDeque<>();
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
    this.maxWindow = settings.credit() * WINDOW_PER_CREDIT;
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
    if (!reading && !caughtUp && window.size() < maxWindow) {
      read();
    }
  }

  /** Sends, in feed order, every new event whose stream has nothing unacknowledged before it, within the credit. */
  private void send() {
    if (inFlight >= settings.credit()) {
      return;
    }
    Set<PersistenceId> waiting = new HashSet<>();
    for (Slot slot : window) {
      if (inFlight >= settings.credit()) {
        return;
      }
      if (slot.state == State.ACKED) {
        continue;
      }
      PersistenceId stream = slot.event.persistenceId();
      if (slot.state == State.NEW && !waiting.contains(stream)) {
        deliver(slot);
      }
      waiting.add(stream);
    }
  }

  private void deliver(Slot slot) {
    slot.state = State.SENT;
    inFlight++;
    vertx.eventBus().request(subscription.address(),
            DeliveryJson.encode(subscription.tenant(), subscription.name(), slot.event), options)
        .onComplete(reply -> onContext(() -> {
          if (stopped) {
            return;
          }
          inFlight--;
          if (reply.succeeded()) {
            slot.state = State.ACKED;
            advance();
          } else {
            slot.state = State.NEW;
            pause(slot, reply.cause());
          }
          pump();
        }));
  }

  /** Moves the checkpoint over the acknowledged events at the head of the window. */
  private void advance() {
    while (!window.isEmpty() && window.peekFirst().state == State.ACKED) {
      acknowledged = window.pollFirst().event.position();
      unsavedAcks++;
    }
    if (unsavedAcks >= settings.checkpointEvery()) {
      save();
    } else if (unsavedAcks > 0 && saveTimer == -1) {
      saveTimer = vertx.setTimer(settings.checkpointInterval().toMillis(), id -> {
        saveTimer = -1;
        save();
      });
    }
  }

  private void pause(Slot slot, Throwable cause) {
    if (!retrying) {
      LOG.warn("subscription {}: delivery of {} ({} at sequence {}) to {} failed: {}; retrying in {} ms",
          subscription.id(), slot.event.position(), slot.event.persistenceId(), slot.event.event().sequenceNr(),
          subscription.address(), cause.getMessage(), settings.retryDelay().toMillis());
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
          read.events().forEach(event -> window.addLast(new Slot(event)));
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
