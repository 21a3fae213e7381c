package dev.temperstore.service.bridge;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.fuzz.HostileRequests;
import dev.temperstore.fuzz.HostileRequests.Hostile;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Ports;
import dev.temperstore.testing.TestKeys;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded, seeded run against the bridge as a process in another language would talk to it: malformed frames
 * of every kind (and well-formed ones it refuses without a close: publish, register and unregister of addresses
 * it does not allow, answers to deliveries it never sent), and hostile requests (see {@link HostileRequests}) sent
 * as JSON text, so that the store sees the numbers exactly as written. A malformed frame must get an {@code err}
 * and the close of its connection; a refused frame an answer below 500 and a connection that still serves; a request
 * must get a reply, never a 500 nor a timeout, and never another tenant's data. The victims' rows stay unchanged
 * and the bridge still serves a new connection afterwards. Seed: {@code -Dtemper.fuzz.seed}; frames:
 * {@code -Dtemper.fuzz.frames}.
 */
class BridgeFuzzTest extends DatabaseTest {

  private static final long SEED = Long.getLong("temper.fuzz.seed", 20261201L);
  private static final int FRAMES = Integer.getInteger("temper.fuzz.frames", 600);
  private static final int MAX_FRAME_BYTES = 8 * 1024 * 1024;
  private static final String VICTIM_MARKER = "VICTIM-ONLY";

  private int port;

  @BeforeEach
  void storeBehindTheBridge() {
    SecretSettings secrets = new SecretSettings(TestKeys.ring(Map.of(1, TestKeys.KEY_1), 1), 100, 8192, 10);
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withSecrets(secrets))).await();
    port = Ports.free();
    TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(port).withAllowSecretGet(true)
        .withLimits(BridgeLimits.defaults().withMaxFrameBytes(MAX_FRAME_BYTES))).await();
  }

  @Test
  void a_decimal_that_a_double_would_round_is_refused_through_the_bridge_with_the_field_named() throws IOException {
    String append = "{\"type\":\"send\",\"address\":\"temper.store.events.append\",\"replyAddress\":\"r\",\"body\":"
        + "{\"persistenceId\":\"acme:Order:o-1\",\"expectedSequence\":0,\"events\":[{\"eventType\":\"Placed\","
        + "\"payload\":{\"amount\":1.00000000000000000001},\"metadata\":{\"eventId\":\"" + UUID.randomUUID()
        + "\",\"actorId\":\"a\"}}]}}";
    try (WireClient client = new WireClient(port)) {
      client.sendRaw(append.getBytes(StandardCharsets.UTF_8));
      JsonObject reply = client.receive();

      assertThat(reply.getString("type")).isEqualTo("err");
      assertThat(reply.getInteger("failureCode")).isEqualTo(400);
      assertThat(reply.getString("message")).contains("events[0].payload.amount");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void malformed_frames_and_hostile_requests_get_err_or_a_4xx_and_never_reach_another_tenant() throws IOException {
    for (String victim : List.of("victim", "victim?")) {
      bus("temper.store.events.append", new JsonObject().put("persistenceId", victim + ":Order:v-1")
          .put("expectedSequence", 0).put("events", new JsonArray().add(new JsonObject().put("eventType", "Placed")
              .put("payload", new JsonObject().put("mark", VICTIM_MARKER))
              .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "v")))));
      bus("temper.store.secrets.put", new JsonObject().put("tenant", victim).put("keyName", "api")
          .put("value", VICTIM_MARKER));
    }
    String victimsBefore = victimRows();
    Random random = new Random(SEED);
    HostileRequests requests = new HostileRequests(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    WireClient client = new WireClient(port);
    try {
      for (int i = 0; i < FRAMES; i++) {
        if (random.nextInt(3) == 0) {
          client.close();
          String outcome = malformed(random, problems);
          outcomes.merge("malformed frame: " + outcome, 1, Integer::sum);
          client = new WireClient(port);
        } else {
          Hostile hostile = requests.next();
          byte[] text = text(hostile.body());
          String outcome = request(client, hostile, text, problems);
          outcomes.merge("hostile request: " + outcome, 1, Integer::sum);
          if (outcome.startsWith("closed")) {
            client.close();
            client = new WireClient(port);
          }
        }
      }
    } finally {
      client.close();
    }

    System.out.println("bridge fuzz by outcome (seed " + SEED + "): " + outcomes);
    assertThat(problems).isEmpty();
    assertThat(victimRows()).isEqualTo(victimsBefore);
    try (WireClient fresh = new WireClient(port)) {
      fresh.send(new JsonObject().put("type", "ping"));
      assertThat(fresh.receive()).isEqualTo(new JsonObject().put("type", "pong"));
    }
  }

  /**
   * One malformed frame on a connection of its own: a frame that breaks the protocol must be answered with err,
   * then the connection closed; a well-formed frame the bridge refuses (publish; register, unregister or a
   * delivery answer that is malformed or not allowed) is answered and the connection goes on serving.
   */
  private String malformed(Random random, List<String> problems) throws IOException {
    List<Kind> kinds = List.of(
        closes(() -> lengthThen(-1 - random.nextInt(Integer.MAX_VALUE), new byte[0])),
        closes(() -> lengthThen(0, new byte[0])),
        closes(() -> lengthThen(MAX_FRAME_BYTES + 1 + random.nextInt(Integer.MAX_VALUE - MAX_FRAME_BYTES - 1),
            new byte[0])),
        closes(() -> framed(randomBytes(random, 1 + random.nextInt(200)))),
        closes(() -> framed("{\"type\":null,\"address\":\"temper.store.events.read\"}")),
        closes(() -> framed("{\"type\":" + random.nextInt() + "}")),
        keeps(() -> framed("{\"type\":\"publish\",\"address\":\"temper.store.events.read\",\"body\":{}}")),
        closes(() -> framed("{\"type\":\"send\",\"body\":" + "[".repeat(300) + "]".repeat(300) + "}")),
        closes(() -> framed("[\"send\"]")),
        closes(() -> framed("{\"type\":\"send\",\"address\":\"temper.store.events.read\",\"body\":{\"a\":NaN}}")),
        closes(() -> framed("{\"type\":\"send\"")),
        closes(() -> framed(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})),
        keeps(() -> framed("{\"type\":\"register\",\"replyAddress\":\"r\"}")),
        keeps(() -> framed("{\"type\":\"register\",\"replyAddress\":\"r\",\"address\":" + hostileAddress(random)
            + "}")),
        keeps(() -> framed("{\"type\":\"register\",\"replyAddress\":\"r\",\"address\":\"temper.store.events.read\"}")),
        keeps(() -> framed("{\"type\":\"register\",\"replyAddress\":\"r\",\"address\":\"temper.bridge.delivery.\\u0000"
            + random.nextInt(1000) + ".x\"}")),
        keeps(() -> framed("{\"type\":\"unregister\",\"address\":" + hostileAddress(random) + "}")),
        keeps(() -> framed("{\"type\":\"unregister\",\"address\":\"temper.bridge.delivery.victim.feed\"}")),
        keeps(() -> framed("{\"type\":\"send\",\"address\":\"temper.bridge.reply." + random.nextInt()
            + "\",\"failureCode\":" + hostileAddress(random) + ",\"body\":{}}")));
    Kind kind = kinds.get(random.nextInt(kinds.size()));
    byte[] bytes = kind.bytes().get();
    try (WireClient bad = new WireClient(port)) {
      bad.sendBytes(bytes);
      JsonObject reply;
      try {
        reply = bad.receive();
      } catch (IOException e) {
        problems.add("malformed frame " + shown(bytes) + " got no answer: " + e);
        return "no answer";
      }
      if (kind.keepsConnection()) {
        return refusedAndKept(bad, bytes, reply, problems);
      }
      if (!"err".equals(reply.getString("type")) || reply.getInteger("failureCode", 0) != 400) {
        problems.add("malformed frame " + shown(bytes) + " got " + reply);
      }
      bad.readTimeout(5_000);
      boolean closed;
      try {
        closed = bad.closedByBridge();
      } catch (java.net.SocketTimeoutException e) {
        closed = false;
      }
      if (!closed) {
        problems.add("malformed frame " + shown(bytes) + " left its connection open after " + reply.encode());
      }
      return "err " + reply.getInteger("failureCode") + " and closed";
    }
  }

  /**
   * A well-formed frame the bridge does not serve as sent: refused with an err frame (or registered, when the
   * address happens to be a valid delivery address), never with a 5xx, and the connection still answers ping.
   */
  private static String refusedAndKept(WireClient bad, byte[] bytes, JsonObject reply, List<String> problems)
      throws IOException {
    String outcome;
    if ("message".equals(reply.getString("type")) && reply.getJsonObject("body").containsKey("registered")) {
      outcome = "registered";
    } else if ("err".equals(reply.getString("type")) && reply.getInteger("failureCode", 0) < 500) {
      outcome = reply.containsKey("failureCode") ? "err " + reply.getInteger("failureCode") : reply.getString("message");
    } else {
      problems.add("refused frame " + shown(bytes) + " got " + reply.encode());
      return "unexpected answer";
    }
    bad.send(new JsonObject().put("type", "ping"));
    if (!new JsonObject().put("type", "pong").equals(bad.receive())) {
      problems.add("after " + outcome + ", " + shown(bytes) + " left a connection that does not answer ping");
    }
    return outcome + ", connection kept";
  }

  /** A JSON value where an address belongs: of the wrong type, empty, too long, or a look-alike of a real one. */
  private static String hostileAddress(Random random) {
    List<String> values = List.of("null", "7", "[]", "{}", "\"\"", "\"" + "a".repeat(300) + "\"",
        "\"temper.bridge.delivery\"", "\"temper.bridge.delivery.\"", "\"temper.store.events.append\"",
        "\"temper.bridge.reply.1\"", "\"\\ud800\"", "1.5e400");
    return values.get(random.nextInt(values.size()));
  }

  private static Kind closes(Supplier<byte[]> bytes) {
    return new Kind(bytes, false);
  }

  private static Kind keeps(Supplier<byte[]> bytes) {
    return new Kind(bytes, true);
  }

  private record Kind(Supplier<byte[]> bytes, boolean keepsConnection) {
  }

  private static String request(WireClient client, Hostile hostile, byte[] body, List<String> problems)
      throws IOException {
    String what = hostile.address() + " " + hostile.valueClass() + " at " + hostile.field();
    byte[] prefix = ("{\"type\":\"send\",\"address\":\"" + hostile.address()
        + "\",\"replyAddress\":\"r\",\"headers\":{},\"body\":").getBytes(StandardCharsets.UTF_8);
    byte[] frame = new byte[prefix.length + body.length + 1];
    System.arraycopy(prefix, 0, frame, 0, prefix.length);
    System.arraycopy(body, 0, frame, prefix.length, body.length);
    frame[frame.length - 1] = '}';
    JsonObject reply;
    try {
      client.sendRaw(frame);
      reply = client.receive();
    } catch (IOException e) {
      problems.add(what + " got no reply: " + e);
      return "no answer";
    }
    String type = reply.getString("type");
    if ("message".equals(type)) {
      if (reply.encode().contains(VICTIM_MARKER)) {
        problems.add(what + " showed another tenant's data: " + reply.encode());
      }
      return "ok";
    }
    int code = reply.getInteger("failureCode", -1);
    if (code >= 500 || code < 0) {
      problems.add(what + " got " + reply.encode());
    }
    // A body that is not JSON at all (NaN) is a malformed frame: err, and the connection closes.
    return reply.containsKey("address") ? Integer.toString(code) : "closed after " + code;
  }

  /**
   * The body as JSON text, every non-ASCII character as a {@code \\u} escape: that is how a lone surrogate
   * travels (it has no UTF-8 form), and multi-byte text arrives the same either way. One nested deeper than our
   * own encoder writes is spelled out by hand.
   */
  private static byte[] text(JsonObject body) {
    String json;
    try {
      json = body.encode();
    } catch (EncodeException e) {
      json = "{\"persistenceId\":\"mallory:Order:o\",\"expectedSequence\":0,\"events\":[{\"eventType\":\"P\","
          + "\"payload\":" + "[".repeat(1000) + "]".repeat(1000) + "}]}";
    }
    StringBuilder escaped = new StringBuilder(json.length());
    for (char c : json.toCharArray()) {
      if (c < 0x80) {
        escaped.append(c);
      } else {
        escaped.append(String.format("\\u%04x", (int) c)); // non-ASCII only ever stands inside a JSON string
      }
    }
    return escaped.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] lengthThen(int length, byte[] rest) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(length);
      out.write(rest);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] framed(String text) {
    return framed(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] framed(byte[] payload) {
    return lengthThen(payload.length, payload);
  }

  private static byte[] randomBytes(Random random, int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    bytes[0] = (byte) ('a' + random.nextInt(26)); // never accidentally a JSON object
    return bytes;
  }

  private static String shown(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    return text.length() > 60 ? text.substring(0, 60) + "…" : text;
  }

  private String victimRows() {
    return database.admin().strings("SELECT concat_ws('|', tenant, entity_id, sequence_nr, payload::text) FROM events"
        + " WHERE tenant LIKE 'victim%' ORDER BY 1") + " "
        + database.admin().strings("SELECT concat_ws('|', tenant, key_name, encode(ciphertext, 'base64'))"
        + " FROM tenant_secrets WHERE tenant LIKE 'victim%' ORDER BY 1");
  }

  private static void bus(String address, JsonObject body) {
    vertx.eventBus().request(address, body).await();
  }
}
