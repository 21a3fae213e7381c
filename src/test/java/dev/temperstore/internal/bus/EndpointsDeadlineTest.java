package dev.temperstore.internal.bus;

import dev.temperstore.protocol.Addresses;

import dev.temperstore.errors.Unavailable;
import dev.temperstore.events.EventPage;
import dev.temperstore.internal.client.DirectCall;
import dev.temperstore.internal.client.DirectOperation;
import dev.temperstore.internal.client.DirectOperation.StreamRead;
import dev.temperstore.internal.client.SameLoopRouting;
import dev.temperstore.tenancy.PersistenceId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Whatever an operation does, its caller hears from the endpoint by the deadline: never only its own timeout. */
class EndpointsDeadlineTest {

  /** One event loop: a caller's context and an instance's share its thread. */
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));

  @AfterEach
  void closeVertx() {
    vertx.close().await();
  }

  @Test
  void an_operation_that_never_answers_is_failed_503_at_the_deadline_and_its_work_is_cancelled() {
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    Endpoints endpoints = new Endpoints(vertx, Addresses.defaults(), 10, Duration.ofMillis(300),
        new SimpleMeterRegistry());
    endpoints.serve(Addresses.EVENTS_READ, request -> Uni.createFrom().<JsonObject>nothing()
        .onCancellation().invoke(() -> cancelled.complete(null)));
    endpoints.ready().await();

    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.defaults().of(Addresses.EVENTS_READ),
            new JsonObject(), new DeliveryOptions().setSendTimeout(10_000)).await())
        .isInstanceOfSatisfying(ReplyException.class, e -> {
          assertThat(e.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
          assertThat(e.failureCode()).isEqualTo(503);
          assertThat(new JsonObject(e.getMessage()).getString("message"))
              .isEqualTo("deadline exceeded: no result from temper.store.events.read within 300 ms"
                  + " (temper.requests.deadline); it may still complete, and retrying is safe");
        });
    assertThat(cancelled).succeedsWithin(Duration.ofSeconds(5));
  }

  @Test
  void a_direct_call_that_never_answers_is_failed_503_at_the_deadline_on_the_callers_context() throws Exception {
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    CompletableFuture<Context> instance = new CompletableFuture<>();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        Endpoints endpoints = new Endpoints(vertx, Addresses.defaults(), 10, Duration.ofMillis(300),
            new SimpleMeterRegistry());
        endpoints.serve(Addresses.EVENTS_READ, request -> Uni.createFrom().<JsonObject>nothing());
        endpoints.serveDirect(DirectOperation.READ, read -> read, read -> Uni.createFrom().<EventPage>nothing()
            .onCancellation().invoke(() -> cancelled.complete(null)));
        instance.complete(context);
        return endpoints.ready();
      }
    }).await();
    Context caller = instance.get().owner().getOrCreateContext();
    CompletableFuture<Context> failedOn = new CompletableFuture<>();
    CompletableFuture<Throwable> failure = new CompletableFuture<>();

    caller.runOnContext(ignored -> {
      DirectCall<StreamRead, EventPage> call = SameLoopRouting.direct(vertx,
          Addresses.defaults().of(Addresses.EVENTS_READ), DirectOperation.READ);
      call.call(new StreamRead(PersistenceId.parse("acme:Order:o-1"), 0, 10)).subscribe().with(
          page -> failure.complete(null),
          error -> {
            failedOn.complete(Vertx.currentContext());
            failure.complete(error);
          });
    });

    assertThat(failure.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(Unavailable.class, e ->
        assertThat(e.getMessage()).isEqualTo("deadline exceeded: no result from temper.store.events.read within"
            + " 300 ms (temper.requests.deadline); it may still complete, and retrying is safe"));
    assertThat(failedOn.get()).isSameAs(caller);
    assertThat(cancelled).succeedsWithin(Duration.ofSeconds(5));
  }

  @Test
  void an_answer_before_the_deadline_is_delivered_and_the_deadline_passing_later_records_no_failure() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Endpoints endpoints = new Endpoints(vertx, Addresses.defaults(), 10, Duration.ofMillis(200), registry);
    endpoints.serve(Addresses.EVENTS_READ, request -> Uni.createFrom().item(new JsonObject().put("ok", true)));
    endpoints.ready().await();

    JsonObject reply = vertx.eventBus().<JsonObject>request(Addresses.defaults().of(Addresses.EVENTS_READ),
        new JsonObject()).await().body();
    // Outlive the deadline: absence of a late 503 can only be seen after it would have come.
    Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(400)).await().indefinitely();

    assertThat(reply.getBoolean("ok")).isTrue();
    assertThat(registry.find("temper.store.requests").tag("outcome", "ok").timer().count()).isEqualTo(1);
    assertThat(registry.find("temper.store.requests").tag("outcome", "503").timer()).isNull();
  }
}
