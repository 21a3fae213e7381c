package dev.temperstore.service.bridge;

import dev.temperstore.protocol.Addresses;
import dev.temperstore.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bridge against hostile and greedy clients. The store is a stand-in consumer on the read address that answers
 * when told to, so that replies can be held back; no database is needed.
 */
class TcpBridgeLimitsTest {

  private static final String READ = "temper.store.events.read";
  private static final int MAX_FRAME_BYTES = 4096;

  private Vertx vertx;
  private final List<Message<Object>> held = new CopyOnWriteArrayList<>();
  private boolean holdReplies;
  private MessageConsumer<Object> store;
  private NetServer bridge;
  private int port;

  @BeforeEach
  void standInStore() {
    vertx = Vertx.vertx();
    store = vertx.eventBus().consumer(READ, message -> {
      if (holdReplies) {
        held.add(message);
      } else {
        message.reply(new JsonObject().put("echo", message.body()));
      }
    });
    store.completion().await();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private void listen(BridgeLimits limits) {
    port = Ports.free();
    bridge = TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(port).withLimits(limits)).await();
  }

  private static BridgeLimits limits() {
    return BridgeLimits.defaults().withMaxFrameBytes(MAX_FRAME_BYTES);
  }

  static Stream<Arguments> malformedFrames() {
    return Stream.of(
        Arguments.of("a null type", frame("{\"type\":null,\"address\":\"" + READ + "\"}"),
            "frame has no \"type\" string"),
        Arguments.of("a missing type", frame("{\"address\":\"" + READ + "\"}"), "frame has no \"type\" string"),
        Arguments.of("a numeric type", frame("{\"type\":7}"), "frame has no \"type\" string"),
        Arguments.of("an unknown type", frame("{\"type\":\"subscribe\"}"),
            "unknown frame type \"subscribe\" (expected send, register, unregister or ping)"),
        Arguments.of("invalid JSON", frame("this is not json"), "frame is not valid UTF-8 JSON"),
        Arguments.of("a JSON array", frame("[1,2]"), "frame must be a JSON object, got an array"),
        Arguments.of("a JSON string", frame("\"send\""), "frame must be a JSON object, got a string"),
        Arguments.of("a negative length", length(-1),
            "frame length -1 is not between 1 and 4096 bytes (temper.bridge.max-frame-bytes)"),
        Arguments.of("a zero length", length(0),
            "frame length 0 is not between 1 and 4096 bytes (temper.bridge.max-frame-bytes)"),
        Arguments.of("a length over the limit", length(MAX_FRAME_BYTES + 1),
            "frame length 4097 is not between 1 and 4096 bytes (temper.bridge.max-frame-bytes)"),
        Arguments.of("a 2 GiB length, refused before any of it is sent", length(Integer.MAX_VALUE),
            "frame length 2147483647 is not between 1 and 4096 bytes (temper.bridge.max-frame-bytes)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedFrames")
  void a_malformed_frame_is_answered_with_err_and_closes_only_its_connection(String what, byte[] bytes,
                                                                            String message) throws IOException {
    listen(limits());
    try (WireClient bad = new WireClient(port); WireClient good = new WireClient(port)) {
      good.send(new JsonObject().put("type", "ping"));
      assertThat(good.receive()).isEqualTo(new JsonObject().put("type", "pong"));

      bad.sendBytes(bytes);

      assertThat(bad.receive()).isEqualTo(new JsonObject().put("type", "err").put("failureCode", 400)
          .put("message", message));
      assertThat(bad.closedByBridge()).isTrue();
      good.send(new JsonObject().put("type", "ping"));
      assertThat(good.receive()).isEqualTo(new JsonObject().put("type", "pong"));
      assertThat(good.request(READ, new JsonObject().put("n", 1), null).getJsonObject("body"))
          .isEqualTo(new JsonObject().put("echo", new JsonObject().put("n", 1)));
    }
  }

  @Test
  void a_connection_at_its_outstanding_limit_is_not_read_until_replies_drain() throws IOException {
    listen(limits().withMaxOutstandingPerConnection(2));
    holdReplies = true;
    try (WireClient client = new WireClient(port)) {
      for (int i = 0; i < 5; i++) {
        client.send(client.requestFrame(READ, new JsonObject().put("n", i), null));
      }
      client.send(new JsonObject().put("type", "ping"));

      client.readTimeout(500);
      assertThatThrownBy(client::receive).isInstanceOf(SocketTimeoutException.class); // not even the ping is read
      assertThat(held).hasSize(2);

      holdReplies = false;
      held.forEach(message -> message.reply(new JsonObject().put("echo", message.body())));
      client.readTimeout(10_000);
      List<JsonObject> frames = Stream.generate(() -> receive(client)).limit(6).toList();
      assertThat(frames).filteredOn(frame -> "message".equals(frame.getString("type"))).hasSize(5);
      assertThat(frames).contains(new JsonObject().put("type", "pong"));
    }
  }

  @Test
  void a_connection_over_the_limit_gets_err_and_is_closed() throws IOException {
    listen(limits().withMaxConnections(2));
    try (WireClient first = new WireClient(port); WireClient second = new WireClient(port)) {
      first.send(new JsonObject().put("type", "ping"));
      second.send(new JsonObject().put("type", "ping"));
      assertThat(first.receive().getString("type")).isEqualTo("pong");
      assertThat(second.receive().getString("type")).isEqualTo("pong");

      try (WireClient third = new WireClient(port)) {
        assertThat(third.receive()).isEqualTo(new JsonObject().put("type", "err").put("failureCode", 503)
            .put("message", "too many connections: the bridge serves at most 2 (temper.bridge.max-connections)"));
        assertThat(third.closedByBridge()).isTrue();
      }
      first.send(new JsonObject().put("type", "ping"));
      assertThat(first.receive().getString("type")).isEqualTo("pong");
    }
  }

  @Test
  void an_idle_connection_is_closed_after_the_idle_timeout() throws IOException {
    listen(limits().withIdleTimeout(Duration.ofMillis(300)));
    try (WireClient idle = new WireClient(port)) {
      long started = System.nanoTime();

      assertThat(idle.closedByBridge()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(200),
          Duration.ofSeconds(5));
    }
  }

  @Test
  void a_store_that_does_not_answer_within_the_request_timeout_fails_the_request_with_timeout() throws IOException {
    listen(limits().withRequestTimeout(Duration.ofMillis(200)));
    holdReplies = true;
    try (WireClient client = new WireClient(port)) {
      JsonObject reply = client.request(READ, new JsonObject(), null);

      assertThat(reply.getString("type")).isEqualTo("err");
      assertThat(reply.getString("failureType")).isEqualTo("TIMEOUT");
      assertThat(reply.getInteger("failureCode")).isEqualTo(-1);
    }
  }

  private static JsonObject receive(WireClient client) {
    try {
      return client.receive();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] frame(String json) {
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    return java.nio.ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
  }

  private static byte[] length(int length) {
    return java.nio.ByteBuffer.allocate(4).putInt(length).array();
  }
}
