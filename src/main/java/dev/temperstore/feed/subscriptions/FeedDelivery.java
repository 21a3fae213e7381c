package dev.temperstore.feed.subscriptions;

import dev.temperstore.feed.FeedEvent;

import java.util.function.Consumer;

/**
 * One event as a subscription's consumer receives it. {@link #ack()} tells the store it is handled, so the
 * checkpoint may pass it once the rest of its batch is acknowledged too; {@link #nack(String)}, or no answer
 * within the store's delivery timeout, has its batch (this event and the others of the same delivery message)
 * delivered again after a delay. The next event of the same stream comes only after this one is acknowledged.
 */
public final class FeedDelivery {

  private final String tenant;
  private final String subscription;
  private final FeedEvent event;
  private final Runnable ack;
  private final Consumer<String> nack;

  public FeedDelivery(String tenant, String subscription, FeedEvent event, Runnable ack, Consumer<String> nack) {
    this.tenant = tenant;
    this.subscription = subscription;
    this.event = event;
    this.ack = ack;
    this.nack = nack;
  }

  public String tenant() {
    return tenant;
  }

  public String subscription() {
    return subscription;
  }

  public FeedEvent event() {
    return event;
  }

  /** Acknowledges (replies to) the delivery; answering twice is harmless, only the first counts. */
  public void ack() {
    ack.run();
  }

  /** Refuses the delivery: the store delivers it again, with the rest of its batch, after its retry delay. */
  public void nack(String reason) {
    nack.accept(reason);
  }
}
