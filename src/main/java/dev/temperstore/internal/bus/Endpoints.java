package dev.temperstore.internal.bus;

import dev.temperstore.internal.client.DirectCall;
import dev.temperstore.internal.client.DirectOperation;
import dev.temperstore.internal.client.SameLoopRouting;
import dev.temperstore.internal.client.SharedReplyCodec;
import dev.temperstore.internal.wire.Fields;
import dev.temperstore.internal.wire.JsonView;
import dev.temperstore.protocol.Addresses;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.Unavailable;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The consumers of one verticle instance: each decodes its request, runs the operation, and replies with JSON
 * or fails with the error's code and its JSON ({@link StoreException#toJson()}). Requests beyond
 * {@code maxInFlight} are refused at once with 503, so work never queues without bound, and a request still
 * unanswered at its deadline is answered 503 then, so that a caller waiting a little longer always hears from us.
 * Some operations are also {@link DirectCall}s for callers on the instance's own event loop ({@link #serveDirect}):
 * typed, without a message, but admitted, timed and answered by the same rules.
 */
public final class Endpoints {

  private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);

  /**
   * Optional request header naming who sends it, for the audit of all-tenant reads; the TCP bridge sets it from
   * the client's address and token. Informative only: the event bus itself authenticates no one.
   */
  public static final String CALLER_HEADER = "temper-caller";

  private final Vertx vertx;
  private final EventBus bus;
  private final Addresses addresses;
  private final int maxInFlight;
  private final Duration deadline;
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new HashMap<>();
  private final Map<String, Timer> okTimers = new HashMap<>();
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  /** The event loop this instance runs on, for {@link SameLoopRouting}; null when not made on one. */
  private final String loopThread;
  /** Each served address's local-only twin of this instance, announced for callers on {@link #loopThread}. */
  private final Map<String, String> ownAddresses = new HashMap<>();
  /** Each served address's direct call, announced for callers on {@link #loopThread}. */
  private final Map<String, DirectCall<?, ?>> directCalls = new HashMap<>();
  /** The context this instance serves on: the verticle's. */
  private final Context context;
  /** Answers each request in flight by the deadline. */
  private final Deadlines deadlines;
  private int inFlight;
  private boolean draining;
  private Promise<Void> drained;

  /**
   * Requests are timed in {@code registry} as {@code temper.store.requests}, by address and outcome; each is
   * answered within {@code deadline} ({@code temper.requests.deadline}). Create on the verticle's context.
   */
  public Endpoints(Vertx vertx, Addresses addresses, int maxInFlight, Duration deadline, MeterRegistry registry) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.addresses = addresses;
    this.maxInFlight = maxInFlight;
    this.deadline = deadline;
    this.deadlines = new Deadlines(vertx, deadline);
    this.registry = registry;
    this.loopThread = Context.isOnEventLoopThread() ? Thread.currentThread().getName() : null;
    this.context = vertx.getOrCreateContext();
    SharedReplyCodec.registerOn(bus);
  }

  /** Serves {@code operation}: {@code handler} turns a request body into a reply (or a failed Uni). */
  public Endpoints serve(String operation, Function<Fields, Uni<JsonObject>> handler) {
    String address = addresses.of(operation);
    consumers.add(bus.consumer(address, message -> handle(address, message, handler)));
    if (loopThread != null) {
      // the same operation for callers on this event loop, without a thread woken on either side
      String own = SameLoopRouting.ownAddress(address);
      consumers.add(bus.localConsumer(own, message -> handle(address, message, handler)));
      ownAddresses.put(address, own);
      SameLoopRouting.announce(vertx, loopThread, address, own);
    }
    return this;
  }

  /**
   * Serves {@code operation} also as a {@link DirectCall} to callers on this instance's event loop: {@code gate}
   * checks a typed request as the bus's decoder checks its JSON (and copies what the caller could change later),
   * {@code handler} runs it. The operation must be served on the bus too ({@link #serve}).
   */
  public <Q, R> Endpoints serveDirect(DirectOperation<Q, R> operation, UnaryOperator<Q> gate,
                                      Function<Q, Uni<R>> handler) {
    if (loopThread != null) {
      String address = addresses.of(operation.operation());
      DirectCall<Q, R> call = directCall(address, gate, handler);
      directCalls.put(address, call);
      SameLoopRouting.announceDirect(vertx, loopThread, address, call);
    }
    return this;
  }

  /** Completes when every consumer is registered (cluster-wide, on a clustered bus). */
  public Future<Void> ready() {
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /**
   * Stops taking requests (new ones are refused with 503), waits up to {@code timeout} for those in flight to be
   * answered, then unregisters: an append that was acknowledged is never lost, one in flight completes or is
   * reported failed to its caller. Call on the verticle's context.
   */
  public Future<Void> close(Vertx vertx, Duration timeout) {
    draining = true;
    // new requests from this event loop go to the shared address again, where another instance may take them
    ownAddresses.forEach((address, own) -> SameLoopRouting.withdraw(vertx, loopThread, address, own));
    directCalls.forEach((address, call) -> SameLoopRouting.withdrawDirect(vertx, loopThread, address, call));
    Future<Void> idle;
    if (inFlight == 0) {
      idle = Future.succeededFuture();
    } else {
      drained = Promise.promise();
      long timer = vertx.setTimer(timeout.toMillis(), id -> {
        LOG.warn("{} requests still in flight after {} ms; closing anyway", inFlight, timeout.toMillis());
        drained.tryComplete();
      });
      idle = drained.future().onComplete(done -> vertx.cancelTimer(timer));
    }
    return idle.compose(done -> Future.all(consumers.stream().map(MessageConsumer::unregister).toList()))
        .mapEmpty();
  }

  private void handle(String address, Message<Object> message, Function<Fields, Uni<JsonObject>> handler) {
    long started = System.nanoTime();
    serve(address, started,
        () -> handler.apply(Fields.request(message.body(), message.headers().get(CALLER_HEADER))),
        reply -> {
          DeliveryOptions options = SharedReplyCodec.replyOptions(message);
          // a caller that gets copies gets ordinary JSON: stored payloads are parsed here for it
          JsonObject sent = SharedReplyCodec.isShared(options) ? reply : JsonView.materialized(reply);
          return () -> message.reply(sent, options);
        },
        error -> message.fail(error.code(), error.toJson().encode()));
  }

  /**
   * Admits the request and runs {@code work} (which decodes the request and starts the operation), answering within
   * the deadline: {@code answer} turns a reply into its sending (a StoreException when it cannot be sent), {@code fail}
   * sends a failure. On the instance's context.
   */
  private <R> void serve(String address, long started, Supplier<Uni<R>> work, Function<R, Runnable> answer,
                         Consumer<StoreException> fail) {
    if (draining) {
      failed(address, started, fail, new Unavailable("shutting down: not taking new requests"));
      return;
    }
    if (inFlight >= maxInFlight) {
      failed(address, started, fail,
          new Unavailable("overloaded: " + inFlight + " requests in flight (temper.bus.max-in-flight)"));
      return;
    }
    Uni<R> operation;
    try {
      operation = work.get();
    } catch (StoreException e) {
      failed(address, started, fail, e);
      return;
    } catch (RuntimeException e) {
      // A decoder bug must not crash the consumer or hide the request's fault: say what broke.
      failed(address, started, fail, new InvalidRequest("malformed request: " + e.getMessage()));
      return;
    }
    inFlight++;
    Work running = new Work();
    Deadlines.Watch watch = deadlines.watch(started, () -> {
      // an append still queued leaves its queue; a statement is bounded by statement_timeout
      running.subscription.cancel();
      finished();
      failed(address, started, fail, new Unavailable("deadline exceeded: no result from " + address + " within "
          + deadline.toMillis() + " ms (temper.requests.deadline); it may still complete, and retrying is safe"));
    });
    running.subscription = operation.subscribe().with(
        reply -> {
          if (!watch.answer()) {
            return;
          }
          finished();
          Runnable sending;
          try {
            sending = answer.apply(reply);
          } catch (StoreException e) {
            failed(address, started, fail, e);
            return;
          }
          okTimer(address).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          sending.run();
        },
        failure -> {
          if (!watch.answer()) {
            return;
          }
          finished();
          StoreException error = failure instanceof StoreException store ? store
              : new StorageFailure("unexpected failure at " + address + ": " + failure, failure);
          if (error.code() >= 500) {
            LOG.warn("{} failed: {}", address, error.getMessage());
          }
          failed(address, started, fail, error);
        });
  }

  /**
   * {@code operation} as a {@link DirectCall}: {@code gate} checks a request and copies what its caller could change
   * later, at once on the caller's task (so the request is the caller's as it was at the call, as a bus message is a
   * copy); the rest on this instance's context, as {@link #handle} serves a message; the outcome on the caller's
   * context.
   */
  private <Q, R> DirectCall<Q, R> directCall(String address, UnaryOperator<Q> gate, Function<Q, Uni<R>> handler) {
    return request -> Uni.createFrom().emitter(emitter -> {
      long started = System.nanoTime();
      Context caller = Vertx.currentContext();
      Supplier<Uni<R>> work = gated(request, gate, handler);
      context.runOnContext(ignored -> serve(address, started, work,
          reply -> () -> onContext(caller, () -> emitter.complete(reply)),
          error -> onContext(caller, () -> emitter.fail(error))));
    });
  }

  /**
   * The work of a direct call once {@code gate} has checked {@code request}, now: its handler, or the refusal, thrown
   * again where {@link #serve} decodes, so that it is answered as a message's decoding failure is.
   */
  private static <Q, R> Supplier<Uni<R>> gated(Q request, UnaryOperator<Q> gate, Function<Q, Uni<R>> handler) {
    try {
      Q admitted = gate.apply(request);
      return () -> handler.apply(admitted);
    } catch (RuntimeException refused) {
      return () -> {
        throw refused;
      };
    }
  }

  /** Runs {@code action} on {@code target} (at once when already there, or when the caller had no context). */
  private static void onContext(Context target, Runnable action) {
    if (target == null || Vertx.currentContext() == target) {
      action.run();
    } else {
      target.runOnContext(ignored -> action.run());
    }
  }

  /** The timer of {@code address}'s successes, found by the address alone: one is asked for on every request. */
  private Timer okTimer(String address) {
    return okTimers.computeIfAbsent(address, key -> timer(address, "ok"));
  }

  private Timer timer(String address, String outcome) {
    return timers.computeIfAbsent(address + " " + outcome, key -> Timer.builder("temper.store.requests")
        .description("Requests served on the event bus, by address and outcome (ok, or the failure code)")
        .tag("address", address)
        .tag("outcome", outcome)
        .register(registry));
  }

  private void finished() {
    inFlight--;
    if (inFlight == 0 && drained != null) {
      drained.tryComplete();
    }
  }

  /** A request's work, to cancel at its deadline. */
  private static final class Work {

    private Cancellable subscription = () -> { };
  }

  private void failed(String address, long started, Consumer<StoreException> fail, StoreException error) {
    timer(address, Integer.toString(error.code())).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    fail.accept(error);
  }
}
