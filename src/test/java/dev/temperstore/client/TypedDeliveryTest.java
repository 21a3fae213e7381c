package dev.temperstore.client;

import dev.temperstore.internal.bus.DeliverySender;
import dev.temperstore.internal.client.TypedConsumers;
import dev.temperstore.internal.wire.DeliveryJson;

import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.FeedDelivery;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Eventually;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DeliverySender}: the store's own events, uncopied, to a {@link StoreClient} subscription of the same Vert.x;
 * ordinary JSON to every other consumer.
 */
class TypedDeliveryTest {

  private final Vertx vertx = Vertx.vertx();
  private final DeliverySender sender = new DeliverySender(vertx, "acme", "s", Duration.ofSeconds(5));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void a_store_client_in_the_same_vertx_gets_the_stores_events_without_their_json_and_its_own_payloads() {
    List<FeedDelivery> emitted = new CopyOnWriteArrayList<>();
    Cancellable consumer = StoreClient.create(vertx).subscribe("app.typed").subscribe().with(emitted::add);
    List<FeedEvent> sent = List.of(event(1, "a", 1, "{\"total\":1}"), event(2, "b", 1, "{\"total\":2}"));

    Future<Message<Object>> reply = sender.send("app.typed", sent);
    eventually(() -> emitted.size() == 2);

    for (int i = 0; i < 2; i++) {
      FeedEvent delivered = emitted.get(i).event();
      assertThat(delivered.position()).as("the store's own position, not one parsed from JSON")
          .isSameAs(sent.get(i).position());
      assertThat(delivered.persistenceId()).isSameAs(sent.get(i).persistenceId());
      assertThat(delivered.event().metadata()).isSameAs(sent.get(i).event().metadata());
      assertThat(delivered.event()).as("a payload of its own").isNotSameAs(sent.get(i).event());
      assertThat(delivered.event()).isEqualTo(sent.get(i).event());
    }
    assertThat(emitted.get(0).tenant()).isEqualTo("acme");
    assertThat(emitted.get(0).subscription()).isEqualTo("s");
    emitted.forEach(FeedDelivery::ack);
    eventually(reply::succeeded);
    consumer.cancel();
  }

  @Test
  void a_consumer_that_changes_a_payload_and_refuses_it_gets_the_stored_payload_when_it_comes_again() {
    List<FeedDelivery> emitted = new CopyOnWriteArrayList<>();
    Cancellable consumer = StoreClient.create(vertx).subscribe("app.typed").subscribe().with(delivery -> {
      emitted.add(delivery);
      if (emitted.size() == 1) {
        ((JsonObject) delivery.event().event().payload()).put("total", -1).put("changed", true);
        delivery.nack("changed it, then refused it");
      } else {
        delivery.ack();
      }
    });
    List<FeedEvent> sent = List.of(event(1, "a", 1, "{\"total\":1}"));

    Future<Message<Object>> refused = sender.send("app.typed", sent);
    eventually(refused::failed);
    Future<Message<Object>> again = sender.send("app.typed", sent); // as a deliverer does, from its window
    eventually(again::succeeded);

    assertThat(emitted).hasSize(2);
    assertThat(emitted.get(1).event().event().payload()).isEqualTo(new JsonObject().put("total", 1));
    assertThat(sent.get(0).event().payload()).as("the store's copy").isEqualTo(new JsonObject().put("total", 1));
    consumer.cancel();
  }

  @Test
  void any_other_consumer_gets_ordinary_json_it_may_change_also_at_an_address_a_store_client_has_left() {
    List<FeedDelivery> typed = new CopyOnWriteArrayList<>();
    Cancellable client = StoreClient.create(vertx).subscribe("app.plain").subscribe().with(delivery -> {
      typed.add(delivery);
      delivery.ack();
    });
    Future<Message<Object>> first = sender.send("app.plain", List.of(event(1, "a", 1, "{}")));
    eventually(first::succeeded);
    assertThat(typed).hasSize(1);
    client.cancel();
    assertThat(TypedConsumers.at(vertx, "app.plain")).as("the client left").isFalse();

    List<Object> bodies = new CopyOnWriteArrayList<>();
    vertx.eventBus().consumer("app.plain", message -> {
      JsonObject body = (JsonObject) message.body();
      body.put("seen", true); // ordinary JSON: the consumer's to change
      bodies.add(body);
      message.reply(new JsonObject());
    }).completion().await();

    Future<Message<Object>> reply = sender.send("app.plain", List.of(event(2, "a", 2, "{\"total\":2}")));
    eventually(reply::succeeded);

    JsonObject body = (JsonObject) bodies.get(0);
    assertThat(List.copyOf(body.fieldNames())).containsExactly("tenant", "subscription", "events", "seen");
    JsonObject event = body.getJsonArray("events").getJsonObject(0);
    assertThat(event.getString("position")).isEqualTo(new FeedPosition(1, 2).toString());
    assertThat(event.getString("persistenceId")).isEqualTo("acme:Order:a");
    assertThat(event.getJsonObject("payload")).isEqualTo(new JsonObject().put("total", 2));
    assertThat(DeliveryJson.events(body.copy().put("events", new JsonArray().add(event))))
        .as("decodes as a delivery").hasSize(1);
  }

  private static FeedEvent event(long id, String stream, long sequenceNr, String payload) {
    return new FeedEvent(new FeedPosition(1, id), PersistenceId.parse("acme:Order:" + stream),
        StoredEvent.withPayloadJson(sequenceNr, "E", payload, EventMetadata.root(UUID.randomUUID(), "actor")));
  }

  private static void eventually(BooleanSupplier condition) {
    Eventually.eventually(Duration.ofSeconds(5), "condition", condition);
  }
}
