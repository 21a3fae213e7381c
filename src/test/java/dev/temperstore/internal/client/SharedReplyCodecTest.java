package dev.temperstore.internal.client;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SharedReplyCodecTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aReplyInTheSameJvmIsHandedOverAsIs() {
    JsonObject reply = new JsonObject().put("events", new JsonArray().add(new JsonObject().put("sequenceNr", 1)));
    assertThat(new SharedReplyCodec().transform(reply)).isSameAs(reply);
  }

  @Test
  void aReplyToAnotherJvmTravelsAsJsonAndComesBackEqual() {
    JsonObject reply = new JsonObject().put("events", new JsonArray().add(new JsonObject().put("payload", "é\"x")))
        .put("nextFrom", 7L).put("hasMore", false);
    Buffer wire = Buffer.buffer("some header bytes");
    int start = wire.length();
    new SharedReplyCodec().encodeToWire(wire, reply);
    wire.appendString("the next field");
    assertThat(new SharedReplyCodec().decodeFromWire(start, wire)).isEqualTo(reply);
  }

  @Test
  void onlyCallersThatAskGetSharedRepliesAndTheCodecRegistersOncePerBus() throws Exception {
    SharedReplyCodec.registerOn(vertx.eventBus());
    SharedReplyCodec.registerOn(vertx.eventBus());
    JsonObject built = new JsonObject().put("sequenceNr", 3);
    vertx.eventBus().<JsonObject>consumer("codec.test", message -> message.reply(built,
        SharedReplyCodec.replyOptions(message)));

    JsonObject shared = vertx.eventBus().<JsonObject>request("codec.test", new JsonObject(),
        new DeliveryOptions().addHeader(SharedReplyCodec.HEADER, SharedReplyCodec.NAME)).await().body();
    JsonObject plain = vertx.eventBus().<JsonObject>request("codec.test", new JsonObject()).await().body();

    assertThat(shared).isSameAs(built);
    assertThat(plain).isEqualTo(built).isNotSameAs(built);
  }
}
