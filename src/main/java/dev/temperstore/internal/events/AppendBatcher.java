package dev.temperstore.internal.events;

import dev.temperstore.errors.Unavailable;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Group commit: appends that arrive while earlier ones are in the database are written together, in one
 * statement and one commit, each still atomic and checked on its own.
 *
 * <p>Under light load an append goes out at once, alone, while fewer than {@code maxConcurrentBatches} statements are
 * in flight; under load (large batches), appends queue while one batch is in flight, and each finished batch takes
 * everything queued (up to {@code maxAppendsPerBatch}): {@link BatchSlots} decides which. A stream is in at most one
 * batch at a time, and at most once in it: a second append to a stream waits for the first to be decided, so a client
 * may pipeline appends to its own stream, and the database function can check every append of a batch at once. Single
 * appends in a batch are sorted by stream, and multi-stream requests go alone and sorted, so concurrent batches take
 * row locks in one global order and cannot deadlock each other. A batch of one append to one stream, what light load
 * sends, is a plain INSERT guarded by the stream's head ({@link AppendStatements#insert}); a batch of a few appends of
 * one tenant is one plain INSERT guarded by each stream's head, all or nothing ({@link AppendStatements#insertShared});
 * the functions decide their requests only when that wrote nothing. A batch that fails for one request's data is split
 * until only that request fails ({@link #write}). A request whose stream reached the expected position only after its
 * statement checked it (written meanwhile by another store instance, whose commit the statement saw only later) is sent
 * again in a new statement rather than refused: it could not be written in the first, whose transaction is older than
 * the one it would follow (docs/feed.md). All state is confined to one event-loop context.
 */
final class AppendBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(AppendBatcher.class);

  /** How often one request is sent again because its stream moved after the check, before its conflict is told. */
  static final int MAX_RESENDS = 3;

  private static final Comparator<Pending> BY_STREAM =
      Comparator.comparing((Pending p) -> p.streams.get(0), PersistenceId.ORDER);

  private final Pool pool;
  private final Context context;
  private final Duration deadline;
  /**
   * Told the tenants of each batch after it committed (their feeds' deliverers are woken from there): a
   * subscription of a tenant that wrote nothing has nothing new to read.
   */
  private final Consumer<Set<String>> committed;
  private final BatchSlots slots;
  private final AppendMetrics metrics;
  private final int maxAppendsPerBatch;
  private final int maxQueued;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Set<PersistenceId> streamsInFlight = new HashSet<>();
  private int inFlight;
  /** The requests of the statements in flight. */
  private int requestsInFlight;

  AppendBatcher(Pool pool, Context context, int maxConcurrentBatches, int maxAppendsPerBatch, int maxQueued,
                Duration deadline, Consumer<Set<String>> committed, AppendMetrics metrics) {
    this.pool = pool;
    this.metrics = metrics;
    this.committed = committed;
    this.context = context;
    this.deadline = deadline;
    this.slots = new BatchSlots(maxConcurrentBatches);
    this.maxAppendsPerBatch = maxAppendsPerBatch;
    this.maxQueued = maxQueued;
  }

  /**
   * Writes {@code appends} all or nothing, and emits each stream's new highest sequence in the same order.
   * {@code alone} keeps a multi-stream request out of shared batches. An append still queued when the deadline
   * passes, or whose subscriber cancels, leaves the queue unwritten.
   */
  Uni<long[]> submit(List<EncodedAppend> appends, boolean alone) {
    return Uni.createFrom().<long[]>emitter(emitter -> {
      Pending pending = new Pending(streamsOf(appends), alone, emitter, System.nanoTime() + deadline.toNanos());
      pending.appends = appends;
      emitter.onTermination(() -> onContext(() -> dequeue(pending)));
      onContext(() -> enqueue(pending));
    });
  }

  /**
   * As {@link #submit(List, boolean)} for appends to {@code streams} that are still being prepared (their personal
   * fields wait for their subjects' keys): the request takes its place in the queue at once, so appends to its
   * streams submitted after it still go after it, and goes out once {@code preparing} has given its appends. A
   * failure to prepare is the request's.
   */
  Uni<long[]> submit(List<PersistenceId> streams, Uni<List<EncodedAppend>> preparing, boolean alone) {
    return Uni.createFrom().<long[]>emitter(emitter -> {
      Pending pending = new Pending(List.copyOf(streams), alone, emitter, System.nanoTime() + deadline.toNanos());
      emitter.onTermination(() -> onContext(() -> dequeue(pending)));
      onContext(() -> {
        enqueue(pending);
        if (pending.decided) {
          return;
        }
        preparing.subscribe().with(
            appends -> onContext(() -> {
              if (!pending.decided) {
                pending.appends = appends;
                flush();
              }
            }),
            failure -> onContext(() -> {
              if (dequeue(pending)) {
                pending.fail(failure);
              }
            }));
      });
    });
  }

  private static List<PersistenceId> streamsOf(List<EncodedAppend> appends) {
    List<PersistenceId> streams = new ArrayList<>(appends.size());
    appends.forEach(append -> streams.add(append.persistenceId()));
    return streams;
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(ignored -> action.run());
    }
  }

  private void enqueue(Pending pending) {
    if (pending.decided) {
      return; // cancelled before it reached the context
    }
    if (queue.size() >= maxQueued) {
      pending.fail(new Unavailable("overloaded: " + queue.size() + " appends already queued"));
      return;
    }
    queue.add(pending);
    pending.queued = true;
    pending.queuedAt = System.nanoTime();
    flush();
    awaitDeadline(pending);
  }

  /**
   * {@code pending} waits in the queue from {@code now} until it goes out or its deadline passes. Its timer is set
   * only if it is still queued after a flush: under light load an append goes out at once, and a timer set and
   * cancelled for each would be work for nothing.
   */
  private void waitInQueue(Pending pending, long now) {
    pending.queued = true;
    pending.queuedAt = now;
    awaitDeadline(pending);
  }

  private void awaitDeadline(Pending pending) {
    if (pending.queued && pending.timer < 0) {
      long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(pending.deadline - System.nanoTime()));
      pending.timer = context.owner().setTimer(wait, id -> expire(pending));
    }
  }

  private void stopWaiting(Pending pending) {
    pending.queued = false;
    if (pending.timer >= 0) {
      context.owner().cancelTimer(pending.timer);
      pending.timer = -1;
    }
  }

  /** The deadline passed while the append waited: it leaves the queue unwritten, and the caller hears 503. */
  private void expire(Pending pending) {
    if (dequeue(pending)) {
      pending.fail(new Unavailable("deadline exceeded: append to " + pending.describe() + " still queued after "
          + deadline.toMillis() + " ms (temper.requests.deadline), not written; retry later"));
    }
  }

  /** Takes {@code pending} out of the queue, if it is there; requests behind it for its streams may now go. */
  private boolean dequeue(Pending pending) {
    pending.decided = true;
    if (!pending.queued) {
      return false;
    }
    stopWaiting(pending);
    queue.remove(pending);
    flush();
    return true;
  }

  private void flush() {
    while (inFlight < slots.allowed(requestsInFlight + queue.size()) && !queue.isEmpty()) {
      List<Pending> batch = nextBatch();
      if (batch.isEmpty()) {
        return; // everything queued waits for a stream in flight
      }
      batch.forEach(pending -> streamsInFlight.addAll(pending.streams));
      inFlight++;
      requestsInFlight += batch.size();
      writeBatch(batch);
    }
  }

  /**
   * Takes queued requests in arrival order, skipping those whose streams are taken (in flight, or already in this
   * batch); a skipped request keeps its place, and so do later ones for its streams. A multi-stream request goes
   * alone, and nothing is taken past it.
   */
  private List<Pending> nextBatch() {
    List<Pending> batch = new ArrayList<>();
    // the streams of requests passed over or taken in this batch; those in flight are asked of their own set,
    // not copied into this one for every flush. Made only when a later request is asked: under light load the
    // queue holds one.
    Set<PersistenceId> taken = Set.of();
    Iterator<Pending> queued = queue.iterator();
    while (queued.hasNext() && batch.size() < maxAppendsPerBatch) {
      Pending pending = queued.next();
      boolean free = pending.appends != null && isFree(pending.streams, taken);
      if (pending.alone) {
        if (batch.isEmpty() && free) {
          queued.remove();
          take(pending, batch);
        }
        break;
      }
      if (queued.hasNext()) {
        if (taken.isEmpty()) {
          taken = new HashSet<>();
        }
        taken.addAll(pending.streams);
      }
      if (free) {
        queued.remove();
        take(pending, batch);
      }
    }
    batch.sort(BY_STREAM);
    return batch;
  }

  private boolean isFree(List<PersistenceId> streams, Set<PersistenceId> taken) {
    for (PersistenceId stream : streams) {
      if (streamsInFlight.contains(stream) || taken.contains(stream)) {
        return false;
      }
    }
    return true;
  }

  private void take(Pending pending, List<Pending> batch) {
    stopWaiting(pending);
    metrics.queued(System.nanoTime() - pending.queuedAt);
    batch.add(pending);
  }

  /** One batch in flight: when every request of it is decided, the slot is free for the next. */
  private void writeBatch(List<Pending> batch) {
    write(batch, true, () -> {
      inFlight--;
      requestsInFlight -= batch.size();
      flush();
    });
  }

  /**
   * Writes {@code batch} in one statement and calls {@code then} once every request of it is decided. A deadlock or
   * serialization failure is retried once as it is. Any other failure of the database that is not an outage is
   * the fault of some request in the batch, not necessarily of all: the batch is halved and each half written in
   * turn, so the innocent are written and only the culprit gets the error. That is at most 1 + 2 log2(n)
   * statements for one culprit among n, and 2n - 1 in the worst case. Halves keep the batch's stream order (one
   * global lock order), and their streams stay taken until they are decided.
   */
  private void write(List<Pending> batch, boolean mayRetry, Runnable then) {
    List<List<EncodedAppend>> requests = batch.stream().map(pending -> pending.appends).toList();
    if (AppendStatements.lone(requests)) {
      insert(batch, requests, AppendStatements.insert(requests.get(0).get(0)), mayRetry, then);
    } else if (AppendStatements.sharable(requests)) {
      insert(batch, requests, AppendStatements.insertShared(requests), mayRetry, then);
    } else {
      decide(batch, requests, mayRetry, then);
    }
  }

  /**
   * {@code requests} by a plain INSERT, all or nothing: the lone one for one append, the shared one for several.
   * When it wrote nothing (a stream was not where its append expected) or lost a position to a concurrent writer,
   * the functions decide each request, as they would have at first.
   */
  private void insert(List<Pending> batch, List<List<EncodedAppend>> requests, AppendStatements.Statement insert,
                      boolean mayRetry, Runnable then) {
    long sent = System.nanoTime();
    pool.preparedQuery(insert.sql()).execute(insert.arguments())
        .onComplete(result -> {
          metrics.statement(batch.size(), System.nanoTime() - sent);
          if (result.succeeded() && AppendStatements.insertedAll(requests, result.result())) {
            release(batch);
            complete(batch, AppendStatements.written(requests));
            committed.accept(Set.of(requests.get(0).get(0).persistenceId().tenant()));
            then.run();
          } else if (result.succeeded() || SqlErrors.isUniqueViolation(result.cause())) {
            decide(batch, requests, mayRetry, then);
          } else {
            failed(batch, result.cause(), mayRetry, then);
          }
        });
  }

  /** {@code requests} by the append functions, which tell each request's outcome. */
  private void decide(List<Pending> batch, List<List<EncodedAppend>> requests, boolean mayRetry, Runnable then) {
    if (AppendStatements.lone(requests)) {
      EncodedAppend append = requests.get(0).get(0);
      execute(batch, requests, AppendStatements.ONE, AppendStatements.oneArguments(append), mayRetry, then);
    } else {
      execute(batch, requests, AppendStatements.BATCH, AppendStatements.batchArguments(requests), mayRetry, then);
    }
  }

  /** {@code sql} with {@code arguments}, a statement of {@link AppendStatements} for {@code requests}. */
  private void execute(List<Pending> batch, List<List<EncodedAppend>> requests, String sql, Tuple arguments,
                       boolean mayRetry, Runnable then) {
    long sent = System.nanoTime();
    Future<RowSet<Row>> written = pool.preparedQuery(sql).execute(arguments);
    written.onComplete(result -> {
      metrics.statement(batch.size(), System.nanoTime() - sent);
      if (result.succeeded()) {
        release(batch);
        complete(batch, AppendStatements.outcomes(requests, result.result()));
        committed.accept(tenantsOf(batch));
        then.run();
      } else {
        failed(batch, result.cause(), mayRetry, then);
      }
    });
  }

  private void failed(List<Pending> batch, Throwable failure, boolean mayRetry, Runnable then) {
    if (mayRetry && SqlErrors.isTransient(failure)) {
      LOG.debug("append batch of {} rolled back ({}); retrying once", batch.size(), failure.getMessage());
      write(batch, false, then);
    } else if (batch.size() > 1 && !SqlErrors.isTransient(failure) && !SqlErrors.isUnavailable(failure)) {
      LOG.debug("append batch of {} failed ({}); writing each half on its own to isolate the culprit",
          batch.size(), failure.getMessage());
      List<Pending> first = batch.subList(0, batch.size() / 2);
      List<Pending> second = batch.subList(batch.size() / 2, batch.size());
      writeHalf(first, () -> writeHalf(second, then));
    } else {
      release(batch);
      for (Pending pending : batch) {
        pending.fail(SqlErrors.toStoreException("append to " + pending.describe(), failure));
      }
      then.run();
    }
  }

  /**
   * Writes the requests of {@code half} that still have time: one written after its sibling's turn may have run
   * out of it, and is then refused without being tried, so that isolating a culprit never outlasts the deadline.
   */
  private void writeHalf(List<Pending> half, Runnable then) {
    long now = System.nanoTime();
    List<Pending> alive = new ArrayList<>(half.size());
    for (Pending pending : half) {
      if (now - pending.deadline < 0) {
        alive.add(pending);
      } else {
        release(List.of(pending));
        pending.fail(new Unavailable("deadline exceeded: append to " + pending.describe() + " not written within "
            + deadline.toMillis() + " ms (temper.requests.deadline) while its batch was split to isolate a failing"
            + " request; retry later"));
      }
    }
    if (alive.isEmpty()) {
      then.run();
    } else {
      write(alive, true, then);
    }
  }

  private void release(List<Pending> decided) {
    decided.forEach(pending -> pending.streams.forEach(streamsInFlight::remove));
  }

  /** The tenants appended to by {@code batch}: mostly one, so no set is built for that case. */
  private static Set<String> tenantsOf(List<Pending> batch) {
    String first = batch.get(0).appends.get(0).persistenceId().tenant();
    Set<String> tenants = null;
    for (Pending pending : batch) {
      for (EncodedAppend append : pending.appends) {
        String tenant = append.persistenceId().tenant();
        if (tenants == null && !tenant.equals(first)) {
          tenants = new HashSet<>();
          tenants.add(first);
        }
        if (tenants != null) {
          tenants.add(tenant);
        }
      }
    }
    return tenants == null ? Set.of(first) : tenants;
  }

  /**
   * Answers each request of {@code batch} as its outcome says; a request whose stream moved after the check is
   * sent again (a few times at most, then its conflict is told), unless its caller has gone.
   */
  private void complete(List<Pending> batch, List<AppendStatements.Outcome> outcomes) {
    for (int i = 0; i < batch.size(); i++) {
      Pending pending = batch.get(i);
      AppendStatements.Outcome outcome = outcomes.get(i);
      if (outcome instanceof AppendStatements.Outcome.Written written) {
        pending.emitter.complete(written.sequences());
      } else if (outcome instanceof AppendStatements.Outcome.Moved && pending.resends < MAX_RESENDS
          && !pending.decided) {
        resend(pending);
      } else {
        pending.fail(outcome instanceof AppendStatements.Outcome.Moved moved ? moved.conflict()
            : ((AppendStatements.Outcome.Conflict) outcome).conflict());
      }
    }
  }

  /** Back to the front of the queue, with what is left of its deadline, ahead of later requests for its streams. */
  private void resend(Pending pending) {
    pending.resends++;
    long now = System.nanoTime();
    if (now - pending.deadline >= 0) {
      pending.fail(new Unavailable("deadline exceeded: append to " + pending.describe() + " not written within "
          + deadline.toMillis() + " ms (temper.requests.deadline): its stream moved while it was being written;"
          + " retry later"));
      return;
    }
    metrics.resent();
    queue.addFirst(pending);
    waitInQueue(pending, now);
  }

  /** One request, from submission until it is decided; touched only on the batcher's context. */
  private static final class Pending {

    /** The streams it writes, known from the start. */
    final List<PersistenceId> streams;
    /** What it writes; null while it is being prepared (it waits in the queue, holding its streams' places). */
    List<EncodedAppend> appends;
    final boolean alone;
    final UniEmitter<? super long[]> emitter;
    /** {@link System#nanoTime()} by which it must be decided. */
    final long deadline;
    boolean queued;
    /** Answered or cancelled: it must not be queued any more. */
    boolean decided;
    /** Its deadline's timer while one is set, else -1. */
    long timer = -1;
    /** {@link System#nanoTime()} when it joined the queue. */
    long queuedAt;
    /** Times it was sent again because a stream moved after its statement's check. */
    int resends;

    Pending(List<PersistenceId> streams, boolean alone, UniEmitter<? super long[]> emitter, long deadline) {
      this.streams = streams;
      this.alone = alone;
      this.emitter = emitter;
      this.deadline = deadline;
    }

    void fail(Throwable failure) {
      emitter.fail(failure);
    }

    String describe() {
      return streams.size() == 1 ? streams.get(0).toString() : streams.size() + " streams";
    }
  }
}
