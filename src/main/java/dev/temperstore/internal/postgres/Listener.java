package dev.temperstore.internal.postgres;

import dev.temperstore.postgres.DatabaseTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * LISTENs on some channels on a connection of its own, and keeps listening: a connection that cannot be made, or
 * is lost, is made again with a growing delay, up to 30 s. Each channel's {@code subscribed} runs on every
 * (re)connection, since notifications sent while it was away are lost. Never fails: while PostgreSQL is away, those
 * who rely on it fall back on their own periodic reads ({@code meanwhile} says which, in the log).
 */
public final class Listener {

  private static final Logger LOG = LoggerFactory.getLogger(Listener.class);
  private static final long MAX_DELAY_MS = 30_000;

  private record Channel(Consumer<String> handler, Runnable subscribed) {
  }

  private final Vertx vertx;
  private final DatabaseTarget target;
  private final String what;
  private final String meanwhile;
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  private PgSubscriber subscriber;
  private boolean closed;
  private long retryTimer = -1;

  /**
   * @param what      what is listened for, for the log ("feed notifications")
   * @param meanwhile what happens while it cannot listen, for the log ("deliverers poll meanwhile")
   */
  public Listener(Vertx vertx, DatabaseTarget target, String what, String meanwhile) {
    this.vertx = vertx;
    this.target = target;
    this.what = what;
    this.meanwhile = meanwhile;
  }

  /** Calls {@code handler} with each notification's payload on {@code channel}; call before {@link #start}. */
  public Listener on(String channel, Consumer<String> handler, Runnable subscribed) {
    channels.put(channel, new Channel(handler, subscribed));
    return this;
  }

  /** Starts listening; never fails: an unreachable database is retried in the background. */
  public void start() {
    connect(0);
  }

  public Future<Void> close() {
    closed = true;
    if (retryTimer != -1) {
      vertx.cancelTimer(retryTimer);
    }
    return subscriber == null ? Future.succeededFuture() : subscriber.close().otherwiseEmpty();
  }

  private void connect(int attempt) {
    if (closed) {
      return;
    }
    retryTimer = -1;
    PgSubscriber created = PgSubscriber.subscriber(vertx, target.options()).reconnectPolicy(Listener::delay);
    subscriber = created;
    created.closeHandler(ignored -> {
      if (!closed && subscriber == created) {
        LOG.warn("{} stopped; listening again ({})", what, meanwhile);
        retry(0);
      }
    });
    channels.forEach((name, channel) -> created.channel(name)
        .subscribeHandler(ignored -> channel.subscribed().run())
        .handler(channel.handler()::accept));
    created.connect().onFailure(e -> {
      if (!closed && subscriber == created) {
        LOG.warn("cannot listen for {} ({}); retrying, {}", what, e.getMessage(), meanwhile);
        retry(attempt + 1);
      }
    });
  }

  private void retry(int attempt) {
    PgSubscriber old = subscriber;
    subscriber = null; // its close handler must not start another round
    if (old != null) {
      old.close();
    }
    retryTimer = vertx.setTimer(delay(attempt), id -> connect(attempt));
  }

  private static long delay(int attempt) {
    return Math.min(MAX_DELAY_MS, 250L << Math.min(attempt, 7));
  }
}
