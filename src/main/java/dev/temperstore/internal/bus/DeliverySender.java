package dev.temperstore.internal.bus;

import dev.temperstore.client.StoreClient;
import dev.temperstore.internal.client.SharedReplyCodec;
import dev.temperstore.internal.client.TypedConsumers;
import dev.temperstore.internal.wire.DeliveryJson;

import dev.temperstore.feed.FeedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

import java.time.Duration;
import java.util.List;

/**
 * Puts a subscription's delivery batches on the bus. To an address where a {@link StoreClient} of this Vert.x
 * instance consumes ({@link TypedConsumers}), a batch goes uncopied and to local consumers only, as a view of the
 * typed events ({@link DeliveryJson#view}): building its JSON, Vert.x's copy of it and the client's decoding took a
 * quarter of the JVM's time while a subscription followed 64 appending clients
 * (docs/decisions/0013-typed-deliveries-uncopied.md). To any other address (a raw bus consumer, the bridge, another
 * node) it goes as ordinary JSON.
 */
public final class DeliverySender {

  /**
   * The failure code that says a batch was not answered in time. The TCP bridge fails a batch its client has sat on
   * for its delivery timeout with it; any consumer may reply with it. The deliverer counts it as a timeout (the
   * target's batches halve), unlike any other failure reply, a nack, which only has the batch sent again.
   */
  public static final int UNANSWERED = 504;

  private final Vertx vertx;
  private final String tenant;
  private final String subscription;
  private final DeliveryOptions plain;
  private final DeliveryOptions typed;

  public DeliverySender(Vertx vertx, String tenant, String subscription, Duration timeout) {
    SharedReplyCodec.registerOn(vertx.eventBus());
    this.vertx = vertx;
    this.tenant = tenant;
    this.subscription = subscription;
    this.plain = new DeliveryOptions().setSendTimeout(timeout.toMillis());
    this.typed = new DeliveryOptions(plain).setCodecName(SharedReplyCodec.NAME).setLocalOnly(true);
  }

  /** Sends {@code events} (feed order) to {@code address}; the reply is the consumer's acknowledgement. */
  public Future<Message<Object>> send(String address, List<FeedEvent> events) {
    if (TypedConsumers.at(vertx, address)) {
      return vertx.eventBus().request(address, DeliveryJson.view(tenant, subscription, events), typed);
    }
    return vertx.eventBus().request(address, DeliveryJson.encode(tenant, subscription, events), plain);
  }
}
