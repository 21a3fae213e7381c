package dev.temperstore.service.bridge;

import dev.temperstore.client.BridgeClient;
import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.events.EventPage;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A client speaking the bridge's wire protocol itself: 4-byte big-endian length, then a JSON frame. */
class TcpBridgeTest extends DatabaseTest {

  private NetServer bridge;
  private int port;

  @BeforeEach
  void storeAndBridge() throws IOException {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()))).await();
    port = Ports.free();
    bridge = TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(port)).await();
  }

  @AfterEach
  void closeBridge() {
    bridge.close().await();
  }

  @Test
  void a_bridge_client_appends_and_reads_with_length_prefixed_json_frames() throws IOException {
    try (WireClient client = new WireClient(port)) {
      JsonObject appended = client.request("temper.store.events.append", new JsonObject()
          .put("persistenceId", "acme:Order:o-1").put("expectedSequence", 0)
          .put("events", new JsonArray().add(new JsonObject().put("eventType", "Placed")
              .put("payload", new JsonObject().put("total", 5))
              .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "py")))), null);
      JsonObject read = client.request("temper.store.events.read", new JsonObject().put("persistenceId", "acme:Order:o-1"), null);
      JsonObject conflict = client.request("temper.store.events.append", new JsonObject()
          .put("persistenceId", "acme:Order:o-1").put("expectedSequence", 0).put("events", new JsonArray()
              .add(new JsonObject().put("eventType", "Placed").put("payload", 1).put("metadata", new JsonObject()
                  .put("eventId", UUID.randomUUID().toString()).put("actorId", "py")))), null);

      assertThat(appended.getString("type")).isEqualTo("message");
      assertThat(appended.getJsonObject("body")).isEqualTo(new JsonObject().put("sequenceNr", 1));
      assertThat(read.getJsonObject("body").getJsonArray("events").getJsonObject(0).getJsonObject("payload"))
          .isEqualTo(new JsonObject().put("total", 5));
      assertThat(conflict.getString("type")).isEqualTo("err");
      assertThat(conflict.getInteger("failureCode")).isEqualTo(409);
      assertThat(new JsonObject(conflict.getString("message")).getLong("actual")).isEqualTo(1);
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(1);
  }

  @Test
  void addresses_outside_the_allow_list_and_secret_get_are_refused() throws IOException {
    try (WireClient client = new WireClient(port)) {
      JsonObject other = client.request("some.other.service", new JsonObject(), null);
      JsonObject secretGet = client.request("temper.store.secrets.get",
          new JsonObject().put("tenant", "acme").put("keyName", "k"), null);
      JsonObject allowed = client.request("temper.store.secrets.list", new JsonObject().put("tenant", "acme"), null);

      assertThat(other.getString("type")).isEqualTo("err");
      assertThat(other.getString("message")).isEqualTo("access_denied");
      assertThat(secretGet.getString("message")).isEqualTo("access_denied");
      assertThat(allowed.getString("type")).isEqualTo("err"); // allowed through; the store has no key: 503
      assertThat(allowed.getInteger("failureCode")).isEqualTo(503);
    }
    assertThat(TcpBridge.allowed(Addresses.defaults(), true)).contains("temper.store.secrets.get");
  }

  @Test
  void a_delivery_prefix_overlapping_the_stores_prefix_refuses_to_start() {
    BridgeOptions inside = BridgeOptions.loopback(Ports.free()).withDeliveryPrefix("temper.store.deliveries");

    assertThatThrownBy(() -> TcpBridge.listen(vertx, Addresses.defaults(), inside).await())
        .hasMessage("temper.bridge.delivery-prefix \"temper.store.deliveries\" overlaps the store's prefix"
            + " \"temper.store\" (temper.bus.prefix): bridge clients could register the store's own addresses;"
            + " choose a prefix outside it, e.g. temper.bridge.delivery");
    assertThatThrownBy(() -> TcpBridge.listen(vertx, new Addresses("temper"), BridgeOptions.loopback(Ports.free()))
        .await()).hasMessage("the store's prefix \"temper\" (temper.bus.prefix) overlaps the bridge's reply addresses"
            + " (temper.bridge.reply.*)");
  }

  @Test
  void a_malformed_frame_closes_only_its_own_connection() throws IOException {
    try (WireClient bad = new WireClient(port); WireClient good = new WireClient(port)) {
      bad.sendRaw("this is not json".getBytes(StandardCharsets.UTF_8));

      assertThat(bad.receive().getString("message")).isEqualTo("frame is not valid UTF-8 JSON");
      assertThatThrownBy(bad::receive).isInstanceOf(IOException.class).hasMessage("connection closed by the bridge");
      JsonObject stillServed = good.request("temper.store.events.read",
          new JsonObject().put("persistenceId", "acme:Order:o-1"), null);
      assertThat(stillServed.getString("type")).isEqualTo("message");
    }
  }

  @Test
  void the_typed_client_works_through_the_bridge_with_the_stores_own_errors() {
    try (BridgeClient transport = BridgeClient.connect(vertx, "127.0.0.1", port, Duration.ofSeconds(10))
        .await().atMost(Duration.ofSeconds(10))) {
      StoreClient client = new StoreClient(transport, Addresses.defaults());
      PersistenceId order = PersistenceId.parse("acme:Order:o-1");

      long appended = client.append(order, 0, events(3)).await().atMost(Duration.ofSeconds(10));
      EventPage page = client.read(order, 0, 10).await().atMost(Duration.ofSeconds(10));

      assertThat(appended).isEqualTo(3);
      assertThat(page.events()).hasSize(3);
      assertThatThrownBy(() -> client.append(order, 1, events(1)).await().atMost(Duration.ofSeconds(10)))
          .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> assertThat(conflict.actual()).isEqualTo(3));
      assertThatThrownBy(() -> client.get("acme", "k").await().atMost(Duration.ofSeconds(10)))
          .isInstanceOf(InvalidRequest.class).hasMessage("the bridge refused the request: access_denied");
    }
  }
}
