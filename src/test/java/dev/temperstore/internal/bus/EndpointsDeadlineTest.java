package dev.temperstore.internal.bus;

import dev.temperstore.protocol.Addresses;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Whatever an operation does, its caller hears from the endpoint by the deadline: never only its own timeout. */
class EndpointsDeadlineTest {

  private final Vertx vertx = Vertx.vertx();

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
