package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.internal.wire.DeliveryJson;
import dev.temperstore.internal.bus.DeliverySender;
import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.internal.subscriptions.PgSubscriptionStore;
import dev.temperstore.internal.subscriptions.LifecycleChange;
import dev.temperstore.internal.subscriptions.SubscriptionRow;
import dev.temperstore.internal.subscriptions.delivery.DelivererLife.State;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One claimed subscription's delivery loop, run on one context (every field is touched only there).
 *
 * <p>It reads pages of the feed after its position into a {@link DeliveryWindow}, in feed order, and sends them
 * as event-bus requests of at most {@code credit} (and {@link #MAX_BATCH}) events to its targets: the live members
 * of the subscription's consumer group, each owning a share of the streams ({@link Assignment}), or, while it has
 * none, the subscription's own address, owning every stream. Each target has one batch in flight at a time, so at
 * most {@code credit} events per target are unacknowledged; the reply acknowledges the whole batch. A failed or
 * unanswered batch pauses its target for {@code retryDelay}, then its streams' events go out again from the same
 * first event, so each stream stays in order across retries; a target too slow to answer a full batch in time gets
 * smaller ones ({@link BatchSizes}). (The consumer's side hands out each stream's events of a batch one after the
 * other, see {@code StoreClient.subscribe}.)
 *
 * <p>The members are read from PostgreSQL at the start, every {@code claimInterval}, and at once after a failed
 * delivery to a member (it may have left). When they change, each stream goes to its new owner once no batch
 * holding it is in flight, so no stream is ever with two targets at once. The checkpoint is the position before the
 * first unacknowledged event; it is saved after {@code checkpointEvery} acknowledged events or
 * {@code checkpointInterval}, whichever comes first. Caught up, it waits for a wake-up (LISTEN) or its poll
 * interval, and reads at most every {@code tailReadGap}: its states, and when it reads, are its
 * {@link DelivererLife}'s.
 */
final class Deliverer {

  private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);

  /** Events read ahead and not yet past the checkpoint, per unit of credit. */
  private static final int WINDOW_PER_CREDIT = 4;
  /**
   * Events read ahead at least, whatever the credit. Every feed read waits its turn behind a busy store's appends,
   * so a read of one batch's worth per batch held delivery to about 2,000 events/s
   * (docs/decisions/0006-batched-delivery-and-read-ahead.md).
   */
  private static final int MIN_WINDOW = 1024;
  /** Events per delivery message at most: bounds the JSON built, and its size, on the deliverer's event loop. */
  private static final int MAX_BATCH = DeliveryJson.MAX_EVENTS;

  private final Context context;
  private final SubscriptionRow subscription;
  private final Feed feed;
  private final PgSubscriptionStore store;
  private final SubscriptionSettings settings;
  private final int readLimit;
  private final int maxWindow;
  private final Consumer<Deliverer> onStale;
  private final DeliverySender sender;
  /** Its state, when it reads, and every timer it sets. */
  private final DelivererLife life;
  private final DeliveryWindow window = new DeliveryWindow();
  private final BatchSizes batchSizes;
  /** Null until the members were first read: nothing is sent before. */
  private Assignment assignment;
  private final Map<Target, DeliveryWindow.Batch> inFlight = new HashMap<>();
  /** Targets waiting out the retry delay after a failed batch, with their timers. */
  private final Map<Target, Long> paused = new HashMap<>();
  private FeedPosition readAfter;
  private FeedPosition acknowledged;
  private FeedPosition saved;
  private int unsavedAcks;
  private boolean saving;
  private long saveTimer = -1;
  private boolean refreshing;
  private boolean refreshAgain;
  /** Lifecycle changes that came while a read was under way: its page may hold what they hide. */
  private final List<LifecycleChange> hiddenDuringRead = new ArrayList<>();
  /** Subjects forgotten while a read was under way, and since when: what it brings of them is redacted. */
  private final java.util.Map<String, java.time.Instant> redactedDuringRead = new java.util.HashMap<>();

  /**
   * @param readLimit the most events one page may hold (the feed's own limit)
   * @param onStale   called once when the stored subscription changed under it (reset, deleted, re-created)
   */
  Deliverer(Vertx vertx, Context context, SubscriptionRow subscription, Feed feed, PgSubscriptionStore store,
            SubscriptionSettings settings, int readLimit, Consumer<Deliverer> onStale) {
    this.context = context;
    this.subscription = subscription;
    this.feed = feed;
    this.store = store;
    this.settings = settings;
    this.maxWindow = Math.max(settings.credit() * WINDOW_PER_CREDIT, MIN_WINDOW);
    this.batchSizes = new BatchSizes(Math.min(settings.credit(), MAX_BATCH), settings.deliveryTimeout());
    this.life = new DelivererLife(DelivererLife.Timers.of(vertx), System::currentTimeMillis, settings, this::pump);
    this.readLimit = Math.max(1, Math.min(readLimit, maxWindow));
    this.onStale = onStale;
    this.sender = new DeliverySender(vertx, subscription.tenant(), subscription.name(), settings.deliveryTimeout());
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

  /** Live members delivered to; 0 while the subscription delivers to its own address. */
  int members() {
    return assignment == null ? 0 : assignment.members();
  }

  void start() {
    LOG.info("delivering subscription {} after {}", subscription.id(), readAfter);
    life.start();
    refreshMembers();
    life.every(settings.claimInterval().toMillis(), this::refreshMembers);
    pump();
  }

  /** Something was written: read now rather than at the next poll (caught up, at most every tail-read gap). */
  void wake() {
    life.wake();
  }

  /**
   * Stops sending and ignores replies still to come (their events are delivered again by the next deliverer),
   * then saves the checkpoint reached; completes when saved or the save failed.
   */
  Future<Void> stop() {
    if (life.stopped()) {
      return Future.succeededFuture();
    }
    life.stop(); // cancels every timer: the poll, the save, the members' and the paused targets'
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
    if (life.stopped()) {
      return;
    }
    send();
    // behind, it reads once half the window is free: a few big reads rather than many small ones
    if (life.state() == State.CATCHING_UP && maxWindow - window.size() >= Math.min(readLimit, maxWindow / 2)) {
      read();
    }
  }

  /** Sends a batch to each target that has none in flight and is not pausing, if it has events to go. */
  private void send() {
    if (assignment == null) {
      return;
    }
    Set<Target> idle = new HashSet<>();
    for (Target target : assignment.targets()) {
      if (!inFlight.containsKey(target) && !paused.containsKey(target)) {
        idle.add(target);
      }
    }
    for (DeliveryWindow.Batch batch : window.take(idle, batchSizes::of)) {
      inFlight.put(batch.target(), batch);
      long sent = System.nanoTime();
      sender.send(batch.target().address(), batch.events())
          .onComplete(reply -> onContext(() -> {
            if (life.stopped()) {
              return;
            }
            inFlight.remove(batch.target());
            long nanos = System.nanoTime() - sent;
            if (reply.succeeded()) {
              batchSizes.answered(batch.target(), batch.events().size(), nanos);
              acknowledge(batch);
            } else {
              passed(window.release(batch));
              pause(batch, reply.cause(), nanos);
            }
            pump();
          }));
    }
  }

  /**
   * A lifecycle change of its tenant committed: what it no longer serves and this deliverer read ahead is not sent
   * (docs/protocol.md, "Lifecycle notices"), nor what a read under way brings of it.
   */
  void hide(LifecycleChange change) {
    if (life.stopped()) {
      return;
    }
    if (life.reading()) {
      hiddenDuringRead.add(change);
    }
    passed(window.hide(change));
    pump();
  }

  /**
   * A subject of its tenant was forgotten: its events read ahead read as forgotten from now on, and so do those a
   * read under way brings (decrypted before the forget reached this store).
   */
  void redact(String subject, java.time.Instant since) {
    if (life.stopped()) {
      return;
    }
    if (life.reading()) {
      redactedDuringRead.put(subject, since);
    }
    window.redact(subject, since);
  }

  /** Events passed without an acknowledgement (no longer served) moved the checkpoint to {@code passed}. */
  private void passed(FeedPosition passed) {
    if (passed != null) {
      acknowledged = passed;
      unsavedAcks++;
      advance();
    }
  }

  /** Moves the checkpoint up to the first event not acknowledged. */
  private void acknowledge(DeliveryWindow.Batch batch) {
    FeedPosition passed = window.acknowledge(batch);
    if (passed != null) {
      acknowledged = passed;
    }
    unsavedAcks += batch.events().size();
    advance();
  }

  private void advance() {
    if (unsavedAcks >= settings.checkpointEvery()) {
      save();
    } else if (unsavedAcks > 0 && saveTimer == -1) {
      saveTimer = life.once(settings.checkpointInterval().toMillis(), () -> {
        saveTimer = -1;
        save();
      });
    }
  }

  /**
   * The target's streams wait out the retry delay; a member that failed may have left, so look again now. A batch
   * it left unanswered for the delivery timeout ({@link BatchSizes#unanswered}) halves its batches.
   */
  private void pause(DeliveryWindow.Batch batch, Throwable cause, long nanos) {
    Target target = batch.target();
    LOG.warn("subscription {}: delivery of {} events from {} to {} failed: {}; retrying in {} ms",
        subscription.id(), batch.events().size(), batch.events().get(0).position(), target, cause.getMessage(),
        settings.retryDelay().toMillis());
    if (batchSizes.unanswered(cause, nanos)) {
      LOG.warn("subscription {}: {} answers slowly; batches of at most {} events to it until it answers sooner",
          subscription.id(), target, batchSizes.timedOut(target, batch.events().size()));
    }
    if (assignment != null && assignment.targets().contains(target)) {
      paused.put(target, life.once(settings.retryDelay().toMillis(), () -> {
        paused.remove(target);
        pump();
      }));
    }
    if (target.isMember()) {
      refreshMembers();
    }
  }

  /** Members joined or left in this process: read them now rather than at the next round. */
  void membersChanged() {
    refreshMembers();
  }

  /** Reads the live members; when they changed, streams move to their new owners as their batches end. */
  private void refreshMembers() {
    if (life.stopped()) {
      return;
    }
    if (refreshing) {
      refreshAgain = true; // a change may have committed after the read under way began
      return;
    }
    refreshing = true;
    store.members(subscription).subscribe().with(
        members -> onContext(() -> {
          refreshing = false;
          if (life.stopped()) {
            return;
          }
          apply(Assignment.of(subscription, members));
          if (refreshAgain) {
            refreshAgain = false;
            refreshMembers();
          }
        }),
        failure -> onContext(() -> {
          refreshing = false;
          refreshAgain = false;
          if (life.stopped()) {
            return;
          }
          LOG.warn("subscription {}: reading its members failed: {}; {}", subscription.id(), failure.getMessage(),
              assignment == null ? "nothing is sent until they are read" : "delivering to " + assignment);
        }));
  }

  private void apply(Assignment next) {
    if (assignment != null && assignment.sameTargets(next)) {
      return;
    }
    LOG.info("subscription {} delivers to {}", subscription.id(), next);
    assignment = next;
    window.assign(next);
    batchSizes.retain(next.targets());
    for (Target target : List.copyOf(paused.keySet())) {
      if (!next.targets().contains(target)) {
        life.cancel(paused.remove(target));
      }
    }
    pump();
  }

  private void read() {
    life.readStarted();
    int limit = Math.min(readLimit, maxWindow - window.size());
    Uni<FeedPage> page = feed.readAll(subscription.tenant(), readAfter, subscription.filter(), limit, life.atEnd());
    page.subscribe().with(
        read -> onContext(() -> {
          if (life.stopped()) {
            return;
          }
          window.add(read.events());
          hiddenDuringRead.forEach(change -> passed(window.hide(change)));
          hiddenDuringRead.clear();
          redactedDuringRead.forEach(window::redact);
          redactedDuringRead.clear();
          readAfter = read.next();
          life.pageRead(read.hasMore());
          pump();
        }),
        failure -> onContext(() -> {
          hiddenDuringRead.clear();
          redactedDuringRead.clear();
          if (life.stopped()) {
            return;
          }
          LOG.warn("subscription {}: feed read after {} failed: {}; retrying in {} ms", subscription.id(), readAfter,
              failure.getMessage(), settings.retryDelay().toMillis());
          life.readFailed();
        }));
  }

  private void save() {
    life.cancel(saveTimer);
    saveTimer = -1;
    if (saving || life.stopped() || acknowledged.equals(saved)) {
      return;
    }
    saving = true;
    unsavedAcks = 0;
    FeedPosition target = acknowledged;
    store.saveCheckpoint(subscription, target).subscribe().with(
        stored -> onContext(() -> {
          saving = false;
          if (life.stopped()) {
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
          if (life.stopped()) {
            return;
          }
          LOG.warn("subscription {}: saving checkpoint {} failed: {}; retrying", subscription.id(), target,
              failure.getMessage());
          if (saveTimer == -1) {
            saveTimer = life.once(settings.retryDelay().toMillis(), () -> {
              saveTimer = -1;
              save();
            });
          }
        }));
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(ignored -> action.run());
    }
  }
}
