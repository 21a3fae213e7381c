package dev.temperstore.client;

import dev.temperstore.internal.client.SameLoopRouting;
import dev.temperstore.internal.client.SharedReplyCodec;

import dev.temperstore.errors.StoreErrors;
import dev.temperstore.errors.Unavailable;
import dev.temperstore.internal.reactive.Reactive;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * Requests over the Vert.x event bus, local or clustered; replies come uncopied ({@link SharedReplyCodec}). From an
 * event loop that runs a store instance, requests go to that instance ({@link SameLoopRouting}).
 */
public final class EventBusTransport implements Transport {

  private final Vertx vertx;
  private final DeliveryOptions delivery;

  public EventBusTransport(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setSendTimeout(timeout.toMillis());
    SharedReplyCodec.registerOn(vertx.eventBus());
  }

  @Override
  public Uni<JsonObject> request(String address, JsonObject body) {
    String target = SameLoopRouting.route(vertx, address);
    Uni<Message<JsonObject>> sent = send(target, body);
    if (!target.equals(address)) {
      // an instance whose start failed after it announced its address: the shared one still reaches the others
      sent = sent.onFailure(e -> e instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS)
          .recoverWithUni(() -> send(address, body));
    }
    return sent
        .map(Message::body)
        .onFailure(ReplyException.class).transform(e -> {
          ReplyException reply = e;
          if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            return StoreErrors.fromWire(reply.failureCode(), reply.getMessage());
          }
          return new Unavailable(reply.failureType() == ReplyFailure.NO_HANDLERS
              ? "no store serves " + address + " (not started yet, or not on this event bus)"
              : "no reply from " + address + " within " + delivery.getSendTimeout() + " ms, longer than the store's"
                  + " deadline: the store is down or unreachable");
        });
  }

  private Uni<Message<JsonObject>> send(String address, JsonObject body) {
    return Reactive.uni(() -> vertx.eventBus().<JsonObject>request(address, body,
        // a message keeps its options' headers: each gets its own
        new DeliveryOptions(delivery).addHeader(SharedReplyCodec.HEADER, SharedReplyCodec.NAME)));
  }
}
