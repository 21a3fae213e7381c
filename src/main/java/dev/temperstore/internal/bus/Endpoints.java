package dev.temperstore.internal.bus;

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
import java.util.function.Function;

/**
 * The consumers of one verticle instance: each decodes its request, runs the operation, and replies with JSON
 * or fails with the error's code and its JSON ({@link StoreException#toJson()}). Requests beyond
 * {@code maxInFlight} are refused at once with 503, so work never queues without bound, and a request still
 * unanswered at its deadline is answered 503 then, so that a caller waiting a little longer always hears from us.
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
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  /** The event loop this instance runs on, for {@link SameLoopRouting}; null when not made on one. */
  private final String loopThread;
  /** Each served address's local-only twin of this instance, announced for callers on {@link #loopThread}. */
  private final Map<String, String> ownAddresses = new HashMap<>();
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
    this.registry = registry;
    this.loopThread = Context.isOnEventLoopThread() ? Thread.currentThread().getName() : null;
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
    if (draining) {
      fail(address, started, message, new Unavailable("shutting down: not taking new requests"));
      return;
    }
    if (inFlight >= maxInFlight) {
      fail(address, started, message,
          new Unavailable("overloaded: " + inFlight + " requests in flight (temper.bus.max-in-flight)"));
      return;
    }
    Uni<JsonObject> work;
    try {
      work = handler.apply(Fields.request(message.body(), message.headers().get(CALLER_HEADER)));
    } catch (StoreException e) {
      fail(address, started, message, e);
      return;
    } catch (RuntimeException e) {
      // A decoder bug must not crash the consumer or hide the request's fault: say what broke.
      fail(address, started, message, new InvalidRequest("malformed request: " + e.getMessage()));
      return;
    }
    inFlight++;
    Answer answer = new Answer();
    answer.watchdog = vertx.setTimer(deadline.toMillis(), id -> {
      if (answer.give()) {
        answer.work.cancel(); // an append still queued leaves its queue; a statement is bounded by statement_timeout
        finished();
        fail(address, started, message, new Unavailable("deadline exceeded: no result from " + address + " within "
            + deadline.toMillis() + " ms (temper.requests.deadline); it may still complete, and retrying is safe"));
      }
    });
    answer.work = work.subscribe().with(
        reply -> {
          if (!answer.give()) {
            return;
          }
          vertx.cancelTimer(answer.watchdog);
          finished();
          DeliveryOptions options = SharedReplyCodec.replyOptions(message);
          JsonObject sent;
          try {
            // a caller that gets copies gets ordinary JSON: stored payloads are parsed here for it
            sent = SharedReplyCodec.isShared(options) ? reply : JsonView.materialized(reply);
          } catch (StoreException e) {
            fail(address, started, message, e);
            return;
          }
          timer(address, "ok").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          message.reply(sent, options);
        },
        failure -> {
          if (!answer.give()) {
            return;
          }
          vertx.cancelTimer(answer.watchdog);
          finished();
          StoreException error = failure instanceof StoreException store ? store
              : new StorageFailure("unexpected failure at " + address + ": " + failure, failure);
          if (error.code() >= 500) {
            LOG.warn("{} failed: {}", address, error.getMessage());
          }
          fail(address, started, message, error);
        });
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

  /** Whichever comes first answers: the work's outcome or the deadline. Touched only on the context. */
  private static final class Answer {

    private boolean given;
    private long watchdog;
    private Cancellable work = () -> { };

    boolean give() {
      boolean first = !given;
      given = true;
      return first;
    }
  }

  private void fail(String address, long started, Message<Object> message, StoreException error) {
    timer(address, Integer.toString(error.code())).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    message.fail(error.code(), error.toJson().encode());
  }
}
