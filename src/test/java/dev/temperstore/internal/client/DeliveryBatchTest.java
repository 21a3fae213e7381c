package dev.temperstore.internal.client;

import dev.temperstore.client.StoreClient;
import dev.temperstore.internal.wire.DeliveryJson;

import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.FeedDelivery;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Eventually;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link StoreClient#subscribe} over a batch: one item per event, each stream in order, one answer per batch. */
class DeliveryBatchTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<FeedDelivery> emitted = new CopyOnWriteArrayList<>();
  /** The context deliveries are handed out on: once a task queued there now has run, so has what came before. */
  private volatile Context deliveries;
  private final Cancellable consumer = StoreClient.create(vertx).subscribe("app.batch").subscribe()
      .with(delivery -> {
        deliveries = Vertx.currentContext();
        emitted.add(delivery);
      });

  @AfterEach
  void close() {
    consumer.cancel();
    vertx.close().await();
  }

  @Test
  void a_streams_next_event_comes_only_once_its_previous_is_acked_and_the_batch_is_acked_once_all_are() {
    Future<Message<Object>> reply = send(event(1, "a", 1), event(2, "b", 1), event(3, "a", 2), event(4, "a", 3));

    eventually(() -> emitted.size() == 2);
    assertThat(positions()).containsExactly(1L, 2L);
    emitted.get(1).ack(); // b's only event: a's next still waits for a's first
    pause();
    assertThat(emitted).hasSize(2);
    emitted.get(0).ack();
    emitted.get(0).ack(); // twice counts once
    eventually(() -> emitted.size() == 3);
    assertThat(reply.isComplete()).isFalse();
    emitted.get(2).ack();
    eventually(() -> emitted.size() == 4);
    assertThat(positions()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(reply.isComplete()).isFalse();
    emitted.get(3).ack();

    eventually(reply::succeeded);
  }

  @Test
  void a_nack_fails_the_batch_at_once_and_its_stream_goes_no_further() {
    Future<Message<Object>> reply = send(event(1, "a", 1), event(2, "a", 2), event(3, "b", 1));
    eventually(() -> emitted.size() == 2);

    emitted.get(0).nack("not now");
    eventually(reply::failed);
    emitted.get(1).ack();
    pause();

    assertThat(positions()).containsExactly(1L, 3L);
    assertThatThrownBy(() -> reply.await()).isInstanceOfSatisfying(ReplyException.class,
        e -> assertThat(e.failureCode()).isEqualTo(503));
  }

  @Test
  void cancelling_refuses_the_batch_not_yet_acknowledged_at_once_rather_than_leaving_it_to_time_out() {
    Future<Message<Object>> reply = send(event(1, "a", 1), event(2, "a", 2));
    eventually(() -> emitted.size() == 1);

    consumer.cancel();

    eventually(reply::failed);
    assertThatThrownBy(() -> reply.await()).isInstanceOfSatisfying(ReplyException.class, e -> {
      assertThat(e.failureCode()).isEqualTo(503);
      assertThat(e.getMessage()).isEqualTo("consumer closing");
    });
    emitted.get(0).ack();
    pause();
    assertThat(emitted).as("nothing more is handed out").hasSize(1);
  }

  @Test
  void a_message_that_is_not_a_delivery_batch_is_refused_with_400_and_hands_out_nothing() {
    JsonObject valid = DeliveryJson.encode("acme", "s", List.of(event(1, "a", 1)));
    List<JsonObject> malformed = List.of(
        valid.copy().put("events", "not a list"),
        valid.copy().put("events", new io.vertx.core.json.JsonArray().add(42)),
        valid.copy().put("events", new io.vertx.core.json.JsonArray().add(
            valid.getJsonArray("events").getJsonObject(0).copy().put("position", "nowhere"))),
        valid.copy().put("events", new io.vertx.core.json.JsonArray().add(
            valid.getJsonArray("events").getJsonObject(0).copy().put("metadata", new JsonObject()))));

    for (JsonObject body : malformed) {
      Future<Message<Object>> reply = vertx.eventBus().request("app.batch", body);
      eventually(reply::failed);
      assertThatThrownBy(reply::await).as(body.encode()).isInstanceOfSatisfying(ReplyException.class,
          e -> assertThat(e.failureCode()).isEqualTo(400));
    }
    // A valid batch after them, on the same consumer: once its event is handed out, anything the malformed ones
    // had set off would have been handed out before it.
    send(event(9, "z", 1));
    eventually(() -> !emitted.isEmpty());
    pause();
    assertThat(positions()).containsExactly(9L);
  }

  private Future<Message<Object>> send(FeedEvent... events) {
    return vertx.eventBus().request("app.batch", DeliveryJson.encode("acme", "s", List.of(events)));
  }

  private List<Long> positions() {
    List<Long> ids = new ArrayList<>();
    emitted.forEach(delivery -> ids.add(delivery.event().position().id()));
    return ids;
  }

  private static FeedEvent event(long id, String stream, long sequenceNr) {
    UUID eventId = UUID.randomUUID();
    return new FeedEvent(new FeedPosition(1, id), PersistenceId.parse("acme:Order:" + stream),
        new StoredEvent(sequenceNr, "E", new JsonObject(), EventMetadata.root(eventId, "actor")));
  }

  /**
   * Returns once the deliveries' context has run everything queued on it before now: an acknowledgement from this
   * thread queues its hand-out there at once, so what it would hand out has been handed out by then.
   */
  private void pause() {
    Promise<Void> settled = Promise.promise();
    deliveries.runOnContext(ignored -> settled.complete());
    settled.future().await();
  }

  private static void eventually(java.util.function.BooleanSupplier condition) {
    Eventually.eventually(Duration.ofSeconds(5), "condition", condition);
  }
}
