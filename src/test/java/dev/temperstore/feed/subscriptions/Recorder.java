package dev.temperstore.feed.subscriptions;

import dev.temperstore.client.StoreClient;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedPosition;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A subscription's consumer for tests: records every delivery in arrival order, acknowledges each after
 * {@code ackDelay} (none: at once), refuses those {@code refuse} picks, and tracks the most unanswered at once.
 */
final class Recorder {

  private final Vertx vertx;
  private final List<FeedEvent> received = new ArrayList<>();
  private final AtomicInteger unanswered = new AtomicInteger();
  private final AtomicInteger mostUnanswered = new AtomicInteger();
  private final Duration ackDelay;
  private final Predicate<FeedEvent> refuse;
  private Cancellable subscription;

  Recorder(Vertx vertx, Duration ackDelay, Predicate<FeedEvent> refuse) {
    this.vertx = vertx;
    this.ackDelay = ackDelay;
    this.refuse = refuse;
  }

  static Recorder acking(Vertx vertx) {
    return new Recorder(vertx, Duration.ZERO, event -> false);
  }

  Recorder listen(StoreClient client, String address) {
    subscription = client.subscribe(address).subscribe().with(delivery -> {
      synchronized (this) {
        received.add(delivery.event());
      }
      mostUnanswered.accumulateAndGet(unanswered.incrementAndGet(), Math::max);
      Runnable answer = () -> {
        unanswered.decrementAndGet();
        if (refuse.test(delivery.event())) {
          delivery.nack("refused by the test");
        } else {
          delivery.ack();
        }
      };
      if (ackDelay.isZero()) {
        answer.run();
      } else {
        vertx.setTimer(ackDelay.toMillis(), id -> answer.run());
      }
    });
    return this;
  }

  void stop() {
    if (subscription != null) {
      subscription.cancel();
    }
  }

  synchronized List<FeedEvent> received() {
    return List.copyOf(received);
  }

  int mostUnanswered() {
    return mostUnanswered.get();
  }

  /** Distinct events received, by position. */
  synchronized Set<FeedPosition> positions() {
    Set<FeedPosition> positions = new HashSet<>();
    received.forEach(event -> positions.add(event.position()));
    return positions;
  }

  /** Each stream's sequence numbers in the order they arrived. */
  synchronized Map<String, List<Long>> sequencesByStream() {
    Map<String, List<Long>> streams = new LinkedHashMap<>();
    received.forEach(event -> streams.computeIfAbsent(event.persistenceId().toString(), key -> new ArrayList<>())
        .add(event.event().sequenceNr()));
    return streams;
  }
}
