package dev.temperstore.service.bridge;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.events.NewEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.Eventually;
import dev.temperstore.testing.FeedHorizon;
import dev.temperstore.testing.Ports;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static dev.temperstore.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Subscriptions over the TCP bridge, against the real store and PostgreSQL: a client in another language creates a
 * subscription, registers its delivery address, and answers each batch over its socket.
 */
class TcpBridgeSubscriptionTest extends DatabaseTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long";
  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final String CREATE = "temper.store.subscriptions.create";
  private static final String ORDERS = "temper.bridge.delivery.acme.orders";
  /** Claims every 300 ms and retries after 100 ms, so that deliveries follow within a second. */
  private static final SubscriptionSettings FAST = SubscriptionSettings.defaults()
      .withIntervals(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(100))
      .withDeliveryTimeout(Duration.ofSeconds(10));

  private BridgeAuth auth;
  private NetServer bridge;
  private int port;
  private StoreClient store;
  private final List<Handler<DeliveryContext<Object>>> interceptors = new ArrayList<>();

  @BeforeEach
  void storeAndBridge() {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withSubscriptions(FAST)))
        .await();
    auth = BridgeAuth.create(vertx, Optional.of(SECRET), Optional.empty(), "RS256", Optional.empty(), Optional.empty(),
        Duration.ofDays(30));
    bridge = listen(BridgeLimits.defaults().withDeliveryTimeout(FAST.deliveryTimeout()));
    store = StoreClient.create(vertx);
  }

  @AfterEach
  void closeBridge() {
    interceptors.forEach(interceptor -> vertx.eventBus().removeOutboundInterceptor(interceptor));
    bridge.close().await();
  }

  private NetServer listen(BridgeLimits limits) {
    port = Ports.free();
    return TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(port).withAuth(auth)
        .withLimits(limits)).await();
  }

  private String token(List<String> tenants, Permission... permissions) {
    return auth.issue("subscriber", tenants, Set.of(permissions), Duration.ofMinutes(5));
  }

  private String acme() {
    return token(List.of("acme"), Permission.READ, Permission.SUBSCRIBE);
  }

  @Test
  void a_client_subscribes_over_the_bridge_receives_every_event_in_feed_order_and_its_acks_move_the_checkpoint()
      throws IOException {
    try (SubscriberClient client = new SubscriberClient(port, acme())) {
      assertThat(client.register(ORDERS)).isEqualTo(new JsonObject().put("type", "message")
          .put("address", "client-1").put("body", new JsonObject().put("registered", ORDERS)));
      assertThat(client.request(CREATE, subscription("acme", "orders", ORDERS)).getJsonObject("body"))
          .isEqualTo(new JsonObject().put("created", true));
      for (int round = 0; round < 3; round++) {
        append("acme:Order:o-1", round * 3L, 3);
        append("acme:Order:o-2", round * 2L, 2);
      }

      List<String> delivered = new ArrayList<>();
      while (delivered.size() < 15) {
        JsonObject delivery = client.nextDelivery();
        assertThat(delivery.getString("address")).isEqualTo(ORDERS);
        assertThat(delivery.getJsonObject("body").getString("tenant")).isEqualTo("acme");
        assertThat(delivery.getJsonObject("body").getString("subscription")).isEqualTo("orders");
        assertThat(SubscriberClient.events(delivery).size()).isBetween(1, FAST.credit());
        delivered.addAll(SubscriberClient.positions(delivery));
        client.ack(delivery);
      }

      assertThat(delivered).isEqualTo(feed("acme"));
      FeedPosition last = FeedPosition.parse("last", delivered.get(delivered.size() - 1));
      eventually("the checkpoint saved at the last event", () -> checkpoint("acme", "orders").equals(last));
      JsonObject listed = client.request("temper.store.subscriptions.list", new JsonObject().put("tenant", "acme"));
      assertThat(listed.getJsonObject("body").getJsonArray("subscriptions").getJsonObject(0).getString("address"))
          .isEqualTo(ORDERS);
    }
  }

  @Test
  void a_nacked_batch_is_delivered_again_from_its_first_event_and_the_checkpoint_waits_for_its_ack()
      throws IOException {
    try (SubscriberClient client = new SubscriberClient(port, acme())) {
      client.register(ORDERS);
      client.request(CREATE, subscription("acme", "orders", ORDERS));
      append("acme:Order:o-1", 0, 3);

      JsonObject first = client.nextDelivery();
      client.nack(first, 500, "projection database down");
      JsonObject second = client.nextDelivery();
      client.send(new JsonObject().put("type", "send").put("address", second.getString("replyAddress"))
          .put("body", new JsonObject().put("nack", "still down")));
      JsonObject third = client.nextDelivery();
      assertThat(checkpoint("acme", "orders")).isEqualTo(FeedPosition.START);
      client.ack(third);

      assertThat(SubscriberClient.positions(second)).isEqualTo(SubscriberClient.positions(first));
      assertThat(SubscriberClient.positions(third)).isEqualTo(SubscriberClient.positions(first));
      assertThat(second.getString("replyAddress")).isNotEqualTo(first.getString("replyAddress"));
      List<String> feed = feed("acme");
      assertThat(SubscriberClient.positions(first)).isEqualTo(feed);
      eventually("the checkpoint saved once the batch is acknowledged",
          () -> checkpoint("acme", "orders").toString().equals(feed.get(feed.size() - 1)));
    }
  }

  @Test
  void a_batch_the_client_sits_on_until_the_bridge_expires_it_comes_again_halved_each_time() throws IOException {
    // The bridge gives up after 300 ms, long before the store's own 10 s: every failure the store sees is the
    // bridge's expiry, never its own timeout, so nothing here depends on which timer fires first.
    useBridgeDeliveryTimeout(Duration.ofMillis(300));
    AtomicInteger expired = countFailures("the bridge client did not answer within 300 ms", 504);
    try (SubscriberClient client = new SubscriberClient(port, acme())) {
      client.register(ORDERS);
      append("acme:Order:o-1", 0, 8); // one commit: the whole first batch
      client.request(CREATE, subscription("acme", "orders", ORDERS));

      List<JsonObject> unanswered = receiveWithoutAnswering(client, 5);

      assertThat(unanswered).extracting(delivery -> SubscriberClient.events(delivery).size())
          .as("batch sizes, one delivery after another").containsExactly(8, 4, 2, 1, 1);
      assertEachStartsWithTheFirstEvent(unanswered);
      assertThat(expired.get()).as("failed back by the bridge's expiry, with 504").isGreaterThanOrEqualTo(4);
      assertThat(checkpoint("acme", "orders")).isEqualTo(FeedPosition.START);
    }
  }

  @Test
  void a_consumer_group_member_over_the_bridge_that_sits_on_its_batches_gets_them_halved_each_time()
      throws IOException {
    useBridgeDeliveryTimeout(Duration.ofMillis(300));
    String worker = "temper.bridge.delivery.acme.worker-1";
    try (SubscriberClient client = new SubscriberClient(port, acme())) {
      client.register(worker);
      client.request(CREATE, subscription("acme", "orders", ORDERS)); // no one registers it: the member delivers
      assertThat(client.request("temper.store.subscriptions.join", member("worker-1", worker))
          .getJsonObject("body").getBoolean("joined")).isTrue();
      append("acme:Order:o-1", 0, 8);

      List<JsonObject> unanswered = receiveWithoutAnswering(client, 4);

      assertThat(unanswered).allSatisfy(delivery -> assertThat(delivery.getString("address")).isEqualTo(worker));
      assertThat(unanswered).extracting(delivery -> SubscriberClient.events(delivery).size())
          .as("batch sizes, one delivery after another").containsExactly(8, 4, 2, 1);
      assertEachStartsWithTheFirstEvent(unanswered);
    }
  }

  @Test
  void a_batch_the_client_nacks_comes_again_whole_as_its_batches_shrink_only_for_answers_that_never_came()
      throws IOException {
    try (SubscriberClient client = new SubscriberClient(port, acme())) {
      client.register(ORDERS);
      append("acme:Order:o-1", 0, 8);
      client.request(CREATE, subscription("acme", "orders", ORDERS));

      List<JsonObject> nacked = new ArrayList<>();
      for (int failureCode : new int[] {500, 503, 400}) {
        JsonObject delivery = client.nextDelivery();
        nacked.add(delivery);
        client.nack(delivery, failureCode, "projection database down");
      }
      JsonObject bodyNacked = client.nextDelivery();
      nacked.add(bodyNacked);
      client.send(new JsonObject().put("type", "send").put("address", bodyNacked.getString("replyAddress"))
          .put("body", new JsonObject().put("nack", "still down")));
      JsonObject answered = client.nextDelivery();
      client.ack(answered);

      assertThat(nacked).extracting(delivery -> SubscriberClient.events(delivery).size()).containsOnly(8);
      assertThat(SubscriberClient.events(answered).size()).isEqualTo(8);
      List<String> feed = feed("acme");
      eventually("the checkpoint saved at the last event",
          () -> checkpoint("acme", "orders").toString().equals(feed.get(feed.size() - 1)));
    }
  }

  /** The bridge expires the deliveries it forwards after {@code timeout}, whatever the store's own timeout. */
  private void useBridgeDeliveryTimeout(Duration timeout) {
    bridge.close().await();
    bridge = listen(BridgeLimits.defaults().withDeliveryTimeout(timeout));
  }

  /** The next {@code count} deliveries to {@code client}, none of them answered. */
  private static List<JsonObject> receiveWithoutAnswering(SubscriberClient client, int count) throws IOException {
    List<JsonObject> deliveries = new ArrayList<>();
    while (deliveries.size() < count) {
      deliveries.add(client.nextDelivery());
    }
    return deliveries;
  }

  /** Each delivery is the first one sent again, cut shorter or not: it starts at the same first event. */
  private static void assertEachStartsWithTheFirstEvent(List<JsonObject> deliveries) {
    List<String> first = SubscriberClient.positions(deliveries.get(0));
    assertThat(deliveries).allSatisfy(delivery -> {
      List<String> positions = SubscriberClient.positions(delivery);
      assertThat(positions).isEqualTo(first.subList(0, positions.size()));
    });
  }

  @Test
  void a_batch_unanswered_when_its_connection_closes_is_delivered_again_to_a_new_connection() throws IOException {
    JsonObject unanswered;
    try (SubscriberClient first = new SubscriberClient(port, acme())) {
      first.register(ORDERS);
      first.request(CREATE, subscription("acme", "orders", ORDERS));
      append("acme:Order:o-1", 0, 3);
      unanswered = first.nextDelivery();
    }
    try (SubscriberClient second = new SubscriberClient(port, acme())) {
      second.register(ORDERS);

      JsonObject again = second.nextDelivery();
      second.ack(again);

      assertThat(SubscriberClient.positions(again)).isEqualTo(SubscriberClient.positions(unanswered));
      List<String> feed = feed("acme");
      eventually("the checkpoint saved after the new connection's ack",
          () -> checkpoint("acme", "orders").toString().equals(feed.get(feed.size() - 1)));
    }
  }

  @Test
  void a_client_without_a_tenants_read_never_receives_its_batches_even_at_an_address_both_tenants_deliver_to()
      throws IOException {
    String shared = "temper.bridge.delivery.beta.shared";
    AtomicInteger acmeAttempts = countDeliveries(shared, "acme");
    try (SubscriberClient beta = new SubscriberClient(port, token(List.of("beta"), Permission.READ,
        Permission.SUBSCRIBE));
         SubscriberClient acme = new SubscriberClient(port, acme())) {
      assertThat(beta.register(shared).getString("type")).isEqualTo("message");
      assertThat(beta.request(CREATE, subscription("beta", "feed", shared)).getString("type")).isEqualTo("message");
      // The bridge keeps acme's clients out of beta's space; a subscription made on the event bus is not confined.
      assertThat(acme.register(shared).getInteger("failureCode")).isEqualTo(403);
      assertThat(acme.request(CREATE, subscription("acme", "feed", shared)).getInteger("failureCode")).isEqualTo(403);
      await(store.createSubscription(new Subscription("acme", "feed", shared, FeedFilter.ALL, FeedPosition.START)));

      append("acme:Order:o-1", 0, 3);
      eventually("acme's batch failed by the bridge and sent again", () -> acmeAttempts.get() >= 2);
      append("beta:Order:o-1", 0, 2);
      List<String> betaDelivered = new ArrayList<>();
      List<JsonObject> seen = new ArrayList<>();
      while (betaDelivered.size() < 2) {
        JsonObject delivery = beta.nextDelivery();
        seen.add(delivery);
        betaDelivered.addAll(SubscriberClient.positions(delivery));
        beta.ack(delivery);
      }
      seen.addAll(beta.deliveriesUntilPong());

      assertThat(seen).allSatisfy(delivery ->
          assertThat(delivery.getJsonObject("body").getString("tenant")).isEqualTo("beta"));
      assertThat(seen.toString()).doesNotContain("acme:Order");
      assertThat(betaDelivered).isEqualTo(feed("beta"));
      assertThat(checkpoint("acme", "feed")).isEqualTo(FeedPosition.START);
      eventually("beta's checkpoint saved", () -> checkpoint("beta", "feed").toString()
          .equals(betaDelivered.get(betaDelivered.size() - 1)));
    }
  }

  @Test
  void two_bridge_clients_joined_as_a_consumer_group_share_the_streams_and_every_event_is_acknowledged()
      throws Exception {
    String join = "temper.store.subscriptions.join";
    String one = "temper.bridge.delivery.acme.worker-1";
    String two = "temper.bridge.delivery.acme.worker-2";
    try (SubscriberClient first = new SubscriberClient(port, acme());
         SubscriberClient second = new SubscriberClient(port, acme());
         SubscriberClient readOnly = new SubscriberClient(port, token(List.of("acme"), Permission.READ))) {
      first.register(one);
      second.register(two);
      first.request(CREATE, subscription("acme", "orders", ORDERS)); // no one registers it: the members deliver
      JsonObject joined = first.request(join, member("worker-1", one));
      second.request(join, member("worker-2", two));
      JsonObject outside = second.request(join, member("worker-3", "app.orders.worker-3"));
      JsonObject reader = readOnly.request(join, member("worker-4", "temper.bridge.delivery.acme.worker-4"));
      for (int stream = 0; stream < 6; stream++) {
        append("acme:Order:o-" + stream, 0, 3);
      }
      List<String> feed = feed("acme");

      Set<String> delivered = java.util.concurrent.ConcurrentHashMap.newKeySet();
      var firstGot = java.util.concurrent.CompletableFuture.supplyAsync(() -> consume(first, delivered, feed.size()));
      var secondGot = java.util.concurrent.CompletableFuture.supplyAsync(() -> consume(second, delivered,
          feed.size()));
      List<JsonObject> got = new ArrayList<>(firstGot.get());
      got.addAll(secondGot.get());

      assertThat(joined.getJsonObject("body").getBoolean("joined")).isTrue();
      assertThat(outside.getInteger("failureCode")).isEqualTo(403);
      assertThat(reader.getString("message"))
          .isEqualTo("forbidden: token lacks the \"subscribe\" permission for " + join);
      assertThat(delivered).containsExactlyInAnyOrderElementsOf(feed);
      assertThat(got).allSatisfy(delivery -> assertThat(delivery.getString("address")).isIn(one, two));
      eventually("the checkpoint saved at the last event",
          () -> checkpoint("acme", "orders").toString().equals(feed.get(feed.size() - 1)));
      assertThat(first.request("temper.store.subscriptions.leave", new JsonObject().put("tenant", "acme")
          .put("name", "orders").put("member", "worker-1")).getJsonObject("body"))
          .isEqualTo(new JsonObject().put("left", true));
    }
  }

  /** Acknowledges what {@code client} receives until every one of {@code total} events is in {@code delivered}. */
  private static List<JsonObject> consume(SubscriberClient client, Set<String> delivered, int total) {
    List<JsonObject> got = new ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    try {
      client.readTimeout(200);
      while (delivered.size() < total && System.nanoTime() < deadline) {
        try {
          JsonObject delivery = client.nextDelivery();
          got.add(delivery);
          delivered.addAll(SubscriberClient.positions(delivery));
          client.ack(delivery);
        } catch (java.net.SocketTimeoutException e) {
          // nothing for this member just now: the other one may have the rest
        }
      }
      client.readTimeout(10_000);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return got;
  }

  private static JsonObject member(String member, String address) {
    return new JsonObject().put("tenant", "acme").put("name", "orders").put("member", member).put("address", address);
  }

  @Test
  void register_unregister_and_answers_that_are_malformed_or_not_allowed_get_err_frames_and_the_connection_goes_on()
      throws IOException {
    try (SubscriberClient client = new SubscriberClient(port, acme());
         SubscriberClient writer = new SubscriberClient(port, token(List.of("acme"), Permission.WRITE,
             Permission.SUBSCRIBE));
         SubscriberClient reader = new SubscriberClient(port, token(List.of("acme"), Permission.READ));
         SubscriberClient anonymous = new SubscriberClient(port, null)) {
      JsonObject noAddress = client.answerTo(new JsonObject().put("type", "register"), true);
      JsonObject numericAddress = client.answerTo(new JsonObject().put("type", "unregister").put("address", 7), true);
      JsonObject storeAddress = client.register("temper.store.events.append");
      JsonObject otherTenant = client.register("temper.bridge.delivery.beta.orders");
      JsonObject bareSpace = client.register("temper.bridge.delivery.acme.");
      JsonObject withoutRead = writer.register(ORDERS);
      JsonObject withoutToken = anonymous.register(ORDERS);
      JsonObject notRegistered = client.unregister(ORDERS);
      JsonObject unknownReply = client.answerTo(new JsonObject().put("type", "send")
          .put("address", "temper.bridge.reply.99").put("body", new JsonObject()), false);
      JsonObject outsideSpace = client.request(CREATE, subscription("acme", "orders", "app.orders"));
      JsonObject missingAddress = client.request(CREATE, subscription("acme", "orders", null));
      JsonObject readerCreates = reader.request(CREATE, subscription("acme", "orders", ORDERS));
      JsonObject created = client.request(CREATE, subscription("acme", "orders", ORDERS));

      assertThat(noAddress).isEqualTo(new JsonObject().put("type", "err").put("address", "client-1")
          .put("failureCode", 400)
          .put("message", "register and unregister need an \"address\" string of 1 to 256 characters"));
      assertThat(numericAddress.getInteger("failureCode")).isEqualTo(400);
      assertThat(storeAddress).isEqualTo(new JsonObject().put("type", "err").put("address", "client-3")
          .put("failureCode", 403).put("message", "forbidden: only addresses under temper.bridge.delivery."
              + " (temper.bridge.delivery-prefix) may be registered, got \"temper.store.events.append\"")
          .put("sourceAddress", "temper.store.events.append"));
      assertThat(otherTenant.getString("message")).isEqualTo("forbidden: \"temper.bridge.delivery.beta.orders\" is"
          + " not in the space of a tenant the token grants (temper.bridge.delivery.<tenant>.<name>)");
      assertThat(bareSpace.getInteger("failureCode")).isEqualTo(403);
      assertThat(withoutRead.getString("message"))
          .isEqualTo("forbidden: token lacks the \"read\" permission to register \"" + ORDERS + "\"");
      assertThat(withoutToken.getInteger("failureCode")).isEqualTo(401);
      assertThat(notRegistered).isEqualTo(new JsonObject().put("type", "err").put("address", "client-6")
          .put("failureCode", 404).put("message", "\"" + ORDERS + "\" is not registered on this connection")
          .put("sourceAddress", ORDERS));
      assertThat(unknownReply).isEqualTo(new JsonObject().put("type", "err").put("failureCode", 404)
          .put("message", "no delivery awaits an answer at temper.bridge.reply.99 on this connection: answered"
              + " already, not answered within the delivery timeout, or never sent here")
          .put("sourceAddress", "temper.bridge.reply.99"));
      assertThat(outsideSpace.getString("message")).isEqualTo("forbidden: through the bridge, subscriptions and members"
          + " deliver under temper.bridge.delivery.acme. (temper.bridge.delivery-prefix), got \"app.orders\"");
      assertThat(missingAddress.getInteger("failureCode")).isEqualTo(400);
      assertThat(created.getString("type")).isEqualTo("message");
      assertThat(readerCreates.getString("message")).isEqualTo(
          "forbidden: token lacks the \"subscribe\" permission for temper.store.subscriptions.create");
      assertThat(client.deliveriesUntilPong()).isEmpty(); // still served
      assertThat(anonymous.deliveriesUntilPong()).isEmpty();
    }
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_subscriptions")).isEqualTo(1);
  }

  @Test
  void an_unregistered_address_gets_no_more_deliveries_and_a_registration_past_the_limit_is_refused()
      throws IOException {
    bridge.close().await();
    bridge = listen(BridgeLimits.defaults().withMaxRegistrationsPerConnection(2));
    try (SubscriberClient client = new SubscriberClient(port, acme())) {
      client.register(ORDERS);
      client.register("temper.bridge.delivery.acme.two");
      JsonObject again = client.register(ORDERS); // the same address again: only its grant is replaced
      JsonObject third = client.register("temper.bridge.delivery.acme.three");
      JsonObject unregistered = client.unregister(ORDERS);
      AtomicInteger attempts = countDeliveries(ORDERS, "acme");
      client.request(CREATE, subscription("acme", "orders", ORDERS));
      append("acme:Order:o-1", 0, 1);
      eventually("a delivery attempted with no consumer registered", () -> attempts.get() >= 1);

      assertThat(again.getString("type")).isEqualTo("message");
      assertThat(third).isEqualTo(new JsonObject().put("type", "err").put("address", "client-4")
          .put("failureCode", 429).put("message", "a connection registers at most 2 addresses"
              + " (temper.bridge.max-registrations-per-connection)")
          .put("sourceAddress", "temper.bridge.delivery.acme.three"));
      assertThat(unregistered.getJsonObject("body")).isEqualTo(new JsonObject().put("unregistered", ORDERS));
      assertThat(client.deliveriesUntilPong()).isEmpty();
      assertThat(client.register("temper.bridge.delivery.acme.three").getString("type")).isEqualTo("message");
    }
  }

  @Test
  void a_connection_holding_its_most_unanswered_deliveries_is_sent_no_more_until_it_answers() throws IOException {
    bridge.close().await();
    bridge = listen(BridgeLimits.defaults().withMaxDeliveriesPerConnection(1)
        .withDeliveryTimeout(FAST.deliveryTimeout()));
    String invoices = "temper.bridge.delivery.acme.invoices";
    AtomicInteger invoiceAttempts = countDeliveries(invoices, "acme");
    try (SubscriberClient client = new SubscriberClient(port, acme())) {
      client.register(ORDERS);
      client.register(invoices);
      client.request(CREATE, subscription("acme", "orders", ORDERS).put("entityTypes",
          new JsonArray().add("Order")));
      append("acme:Order:o-1", 0, 1);
      JsonObject held = client.nextDelivery();
      client.request(CREATE, subscription("acme", "invoices", invoices).put("entityTypes",
          new JsonArray().add("Invoice")));
      append("acme:Invoice:i-1", 0, 1);

      eventually("the invoice batch failed back and sent again", () -> invoiceAttempts.get() >= 2);
      assertThat(client.deliveriesUntilPong()).isEmpty();
      client.ack(held);
      JsonObject invoice = client.nextDelivery();

      assertThat(invoice.getString("address")).isEqualTo(invoices);
      assertThat(checkpoint("acme", "invoices")).isEqualTo(FeedPosition.START);
    }
  }

  @Test
  void while_a_client_does_not_read_its_socket_further_deliveries_are_failed_back_not_queued_and_come_once_it_reads()
      throws IOException {
    String big = "temper.bridge.delivery.acme.big";
    String small = "temper.bridge.delivery.acme.small";
    AtomicInteger bigAttempts = countDeliveries(big, "acme");
    AtomicInteger smallAttempts = countDeliveries(small, "acme");
    AtomicInteger notReading = countFailures("is not reading fast enough");
    try (SubscriberClient client = new SubscriberClient(WireClient.withReceiveBuffer(port, 16 * 1024), acme())) {
      client.register(big);
      client.register(small);
      client.request(CREATE, subscription("acme", "big", big).put("entityTypes", new JsonArray().add("Big")));
      client.request(CREATE, subscription("acme", "small", small).put("entityTypes", new JsonArray().add("Small")));
      // Batches of about 4 MB (the most one delivery holds): more than the kernel's buffers take while the client
      // reads nothing.
      String filler = "x".repeat(250_000);
      await(store.append(PersistenceId.parse("acme:Big:b-1"), 0, Events.events(24).stream()
          .map(event -> new NewEvent("Filled", new JsonObject().put("filler", filler), event.metadata())).toList()));
      eventually("the big batch forwarded", () -> bigAttempts.get() >= 1);
      append("acme:Small:s-1", 0, 1);

      eventually("a small batch failed back because the client is not reading, then sent again",
          () -> notReading.get() >= 1 && smallAttempts.get() >= 2);
      JsonObject bigBatch = client.nextDelivery();
      client.ack(bigBatch);
      List<String> bigPositions = new java.util.ArrayList<>(SubscriberClient.positions(bigBatch));
      int bigBatches = 1;
      JsonObject smallBatch = null;
      while (smallBatch == null || bigPositions.size() < 24) { // the rest of the big events come in later batches
        JsonObject next = client.nextDelivery();
        client.ack(next);
        if (next.getString("address").equals(small)) {
          smallBatch = next;
        } else {
          bigPositions.addAll(SubscriberClient.positions(next));
          bigBatches++;
        }
      }

      assertThat(bigBatch.getString("address")).isEqualTo(big);
      assertThat(SubscriberClient.events(bigBatch).size()).as("cut at about 4 MB").isBetween(1, 23);
      assertThat(bigPositions).as("every big event once").hasSize(24).doesNotHaveDuplicates();
      assertThat(bigAttempts.get()).as("no big batch sent twice").isEqualTo(bigBatches);
      eventually("both checkpoints saved", () -> !checkpoint("acme", "big").equals(FeedPosition.START)
          && !checkpoint("acme", "small").equals(FeedPosition.START));
    }
  }

  @Test
  void a_registration_whose_token_expired_is_refused_its_next_delivery_and_ended_with_an_err_frame()
      throws IOException {
    long issuedAt = System.currentTimeMillis();
    String shortLived = auth.issue("subscriber", List.of("acme"), Set.of(Permission.READ, Permission.SUBSCRIBE),
        Duration.ofSeconds(2)); // exp counts whole seconds: it lives between 1 and 2 s
    long expiresBy = (issuedAt / 1000 + 3) * 1000;
    try (SubscriberClient client = new SubscriberClient(port, shortLived)) {
      client.register(ORDERS);
      client.request(CREATE, subscription("acme", "orders", ORDERS));
      eventually("the token expired", () -> System.currentTimeMillis() > expiresBy);

      append("acme:Order:o-1", 0, 1);
      JsonObject frame = client.nextFrame();

      assertThat(frame).isEqualTo(new JsonObject().put("type", "err").put("failureCode", 401)
          .put("message", "unauthorized: the token " + ORDERS + " was registered with has expired; it is"
              + " unregistered (register it again with a fresh token)").put("sourceAddress", ORDERS));
      assertThat(client.deliveriesUntilPong()).isEmpty();
    }
    assertThat(checkpoint("acme", "orders")).isEqualTo(FeedPosition.START);
  }

  private static JsonObject subscription(String tenant, String name, String address) {
    JsonObject body = new JsonObject().put("tenant", tenant).put("name", name);
    return address == null ? body : body.put("address", address);
  }

  private void append(String persistenceId, long expected, int count) {
    await(store.append(PersistenceId.parse(persistenceId), expected, Events.events(count)));
  }

  /** Every position of the tenant's feed, in feed order. */
  /** The tenant's whole feed, once the horizon is past every event (another suite on the server may hold it). */
  private List<String> feed(String tenant) {
    FeedHorizon.awaitPastEveryEvent(database);
    FeedPage page = await(store.readAll(tenant, FeedPosition.START, FeedFilter.ALL, 1000));
    return page.events().stream().map(event -> event.position().toString()).toList();
  }

  private FeedPosition checkpoint(String tenant, String name) {
    Row row = database.admin().rows("SELECT checkpoint_tx, checkpoint_id FROM temper_store_subscriptions"
        + " WHERE tenant = $1 AND name = $2", tenant, name).get(0);
    return new FeedPosition(row.getLong(0), row.getLong(1));
  }

  /** Counts the store's delivery attempts of {@code tenant}'s batches to {@code address}, answered or not. */
  private AtomicInteger countDeliveries(String address, String tenant) {
    AtomicInteger attempts = new AtomicInteger();
    Handler<DeliveryContext<Object>> interceptor = context -> {
      if (address.equals(context.message().address()) && context.body() instanceof JsonObject body
          && tenant.equals(body.getString("tenant"))) {
        attempts.incrementAndGet();
      }
      context.next();
    };
    interceptors.add(interceptor);
    vertx.eventBus().addOutboundInterceptor(interceptor);
    return attempts;
  }

  /** Counts failure replies whose message contains {@code text}, as the bridge fails deliveries back. */
  private AtomicInteger countFailures(String text) {
    return countFailures(text, null);
  }

  /** Counts failure replies whose message contains {@code text}, with {@code code} when not null. */
  private AtomicInteger countFailures(String text, Integer code) {
    AtomicInteger failures = new AtomicInteger();
    Handler<DeliveryContext<Object>> interceptor = context -> {
      if (context.body() instanceof ReplyException failure && String.valueOf(failure.getMessage()).contains(text)
          && (code == null || failure.failureCode() == code)) {
        failures.incrementAndGet();
      }
      context.next();
    };
    interceptors.add(interceptor);
    vertx.eventBus().addOutboundInterceptor(interceptor);
    return failures;
  }

  private static void eventually(String what, BooleanSupplier condition) {
    Eventually.eventually(TIMEOUT, what, condition);
  }

}
