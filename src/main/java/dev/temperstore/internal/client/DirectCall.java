package dev.temperstore.internal.client;

import io.smallrye.mutiny.Uni;
import io.vertx.core.shareddata.Shareable;

/**
 * One operation of a store instance, called as a method by a client on the instance's own event loop
 * ({@link SameLoopRouting#direct}): the typed request goes in and the typed reply comes out, with no JSON built,
 * copied, read back or answered. The instance's gate checks the request, and takes its own copy of whatever the
 * caller could change later, at once, on the caller's task; the operation is served on the instance's context, with
 * the same admission, deadline and metrics as on the bus; its outcome reaches the caller on the caller's context.
 */
@FunctionalInterface
public interface DirectCall<Q, R> extends Shareable {

  /** Emits the operation's reply, or fails with the same {@code StoreException} the bus would have answered. */
  Uni<R> call(Q request);
}
