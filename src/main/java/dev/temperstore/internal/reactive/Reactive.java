package dev.temperstore.internal.reactive;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.function.Supplier;

/**
 * How Vert.x futures become Mutiny and back, as a rule.
 *
 * <p>The Mutiny bindings generated for Vert.x 5 do not exist, so the PG client's {@link Future}s are lifted into
 * {@link Uni}s with {@link #uni}; our own logic is written in Mutiny, and verticles hand a {@link Future} back to
 * Vert.x through {@link #future(Uni, Context)}. A few places convert by hand where one future is not one Uni:
 * {@code AppendBatcher} completes every request's emitter of a group commit from its one statement's future;
 * {@code SubscriptionDeliveries} joins Unis with futures while it stops and releases deliverers, and
 * {@code Deliverer.stop} turns a checkpoint's save into a future that never fails; {@code StoreClient.subscribe}
 * fails a group member's Multi from its consumer's registration future.
 */
public final class Reactive {

  private Reactive() {
  }

  /** A lazy Uni: {@code operation} runs once per subscription, and continuations run where the future completes. */
  public static <T> Uni<T> uni(Supplier<Future<T>> operation) {
    return Uni.createFrom().completionStage(() -> operation.get().toCompletionStage());
  }

  /** Subscribes to {@code uni} and completes the returned future on {@code context}. */
  public static <T> Future<T> future(Uni<T> uni, Context context) {
    return Future.fromCompletionStage(uni.subscribeAsCompletionStage(), context);
  }
}
