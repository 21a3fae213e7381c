package dev.temperstore.service.bridge;

import dev.temperstore.errors.StoreException;
import dev.temperstore.internal.bus.Endpoints;
import dev.temperstore.internal.postgres.Listener;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.wire.Fields;
import dev.temperstore.postgres.DatabaseTarget;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The revoked bridge tokens (tokens/revocations.sql), held in memory for the check of every frame: a revoked
 * {@code jti}, or a subject whose tokens issued before a time are revoked. The list is loaded before the bridge
 * serves, again at once when PostgreSQL notifies a revocation (every store process LISTENs), and every
 * {@code refresh} besides, should a notification be lost: a revocation reaches every bridge within the
 * notification's latency, and at most {@code refresh} later. The instance that revokes reloads before it answers.
 * Loads run one at a time on one context; the list is swapped whole, so frames on any event loop read it without a
 * lock.
 */
public final class TokenRevocations {

  /** The operation under the store's address prefix: an operator's, over the bus and the bridge. */
  public static final String OPERATION = "tokens.revoke";
  static final String CHANNEL = "temper_store_revocations";
  /** Reading the list more often than this would be a query loop, not a fallback. */
  static final Duration MIN_REFRESH = Duration.ofMillis(100);

  private static final Logger LOG = LoggerFactory.getLogger(TokenRevocations.class);
  private static final Logger AUDIT = LoggerFactory.getLogger("dev.temperstore.audit.tokens");
  private static final String LOAD = "SELECT jti, subject, issued_before FROM temper_store_revocations_in_force()";
  private static final String REVOKE = "SELECT revocation_id, revoked, expires_at"
      + " FROM temper_store_revoke_token($1, $2, $3, $4, $5, $6)";

  /** What is revoked: a snapshot, replaced whole by each load. */
  private record InForce(Set<String> jtis, Map<String, Long> subjectsBeforeMillis) {
  }

  /** A revocation's outcome: whether it is new (a jti revoked again is not), and until when it holds. */
  public record Outcome(long id, boolean revoked, Instant expiresAt) {
  }

  private final Vertx vertx;
  private final Context context;
  private final Pool pool;
  private final Duration refresh;
  private final Duration maxLifetime;
  private volatile InForce inForce = new InForce(Set.of(), Map.of());
  private final Listener listener;
  private MessageConsumer<Object> served;
  private long timer = -1;
  private boolean loading;
  /** Callers waiting for a load that starts after they asked; null when none is queued. */
  private List<Promise<Void>> queued;

  /**
   * @param pool        the serving pool (the runtime role may read and write the list)
   * @param target      where to LISTEN, on a connection of its own
   * @param maxLifetime {@code temper.bridge.auth.max-token-lifetime}: how long a revocation must hold
   */
  public TokenRevocations(Vertx vertx, Pool pool, DatabaseTarget target, Duration refresh, Duration maxLifetime) {
    if (refresh == null || refresh.toMillis() < MIN_REFRESH.toMillis()) {
      throw new IllegalArgumentException("temper.bridge.auth.revocation-refresh must be at least "
          + MIN_REFRESH.toMillis() + "ms, got " + refresh);
    }
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.pool = pool;
    this.refresh = refresh;
    this.maxLifetime = maxLifetime;
    // each revocation, and each (re)connection (what was notified meanwhile is lost), reads the list again
    this.listener = new Listener(vertx, target, "token revocations",
        "the list is read every " + refresh.toMillis() + " ms meanwhile")
        .on(CHANNEL, payload -> reload(), this::reload);
  }

  /** Loads the list (failing when it cannot: a bridge must not serve without it), then listens and refreshes. */
  public Future<Void> start() {
    return reload().onSuccess(loaded -> context.runOnContext(ignored -> {
      listener.start();
      timer = vertx.setPeriodic(refresh.toMillis(), id -> reload());
    }));
  }

  /** Stops listening, refreshing and serving {@link #OPERATION}. */
  public Future<Void> close() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
    if (served != null) {
      served.unregister();
    }
    return listener.close();
  }

  /** Whether the token {@code grant} came from is revoked. */
  boolean revoked(Grant grant) {
    InForce now = inForce;
    if (grant.jti().isPresent() && now.jtis().contains(grant.jti().get())) {
      return true;
    }
    Long before = grant.subject().map(now.subjectsBeforeMillis()::get).orElse(null);
    return before != null && grant.issuedAtMillis() < before;
  }

  /** Revocations in force, as last loaded. */
  public int size() {
    InForce now = inForce;
    return now.jtis().size() + now.subjectsBeforeMillis().size();
  }

  /** Stores the revocation (audited as {@code actor}), and answers once this instance's list holds it. */
  public Future<Outcome> revoke(Revocation revocation, String actor) {
    Tuple args = Tuple.of(revocation.jti().orElse(null), revocation.subject().orElse(null),
        revocation.subject().isPresent() ? utc(revocation.issuedBefore()) : null, utc(revocation.expiresAt()),
        actor, revocation.reason());
    return pool.preparedQuery(REVOKE).execute(args)
        .recover(e -> Future.failedFuture(SqlErrors.toStoreException("revocation of " + revocation.describe(), e)))
        .map(rows -> {
          Row row = rows.iterator().next();
          Outcome outcome = new Outcome(row.getLong("revocation_id"), row.getBoolean("revoked"),
              row.getOffsetDateTime("expires_at").toInstant());
          AUDIT.info("bridge token revocation {}: {} by {} (in force until {}){}", outcome.id(),
              revocation.describe(), actor, outcome.expiresAt(), outcome.revoked() ? "" : ", already revoked");
          return outcome;
        })
        .compose(outcome -> reload().map(outcome));
  }

  /**
   * Serves {@link #OPERATION} at {@code address}: {@code {"jti": …}} or {@code {"subject": …, "issuedBefore": …}},
   * with an optional {@code reason}; the actor is the bridge's caller header, or the request's {@code actor}.
   */
  public MessageConsumer<Object> serve(String address) {
    served = vertx.eventBus().consumer(address, this::handle);
    return served;
  }

  private void handle(Message<Object> message) {
    Revocation revocation;
    String actor;
    try {
      Fields fields = Fields.request(message.body(), message.headers().get(Endpoints.CALLER_HEADER));
      revocation = Revocation.of(fields.optionalString("jti", Grant.MAX_ID_LENGTH),
          fields.optionalString("subject", Grant.MAX_ID_LENGTH), fields.optionalInstant("issuedBefore"),
          fields.optionalString("reason", Revocation.MAX_REASON_LENGTH), Instant.now(), maxLifetime);
      actor = fields.caller().or(() -> fields.optionalString("actor", 1024)).orElse("unnamed");
    } catch (StoreException e) {
      message.fail(e.code(), e.toJson().encode());
      return;
    }
    revoke(revocation, actor).onComplete(done -> {
      if (done.succeeded()) {
        message.reply(new JsonObject().put("revocationId", done.result().id())
            .put("revoked", done.result().revoked()).put("expiresAt", done.result().expiresAt().toString()));
      } else {
        StoreException error = done.cause() instanceof StoreException known ? known
            : SqlErrors.toStoreException("revocation", done.cause());
        message.fail(error.code(), error.toJson().encode());
      }
    });
  }

  /** Completes once a load that started after this call has finished (and failed if it failed). */
  Future<Void> reload() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      if (queued == null) {
        queued = new ArrayList<>();
      }
      queued.add(done);
      if (!loading) {
        load();
      }
    });
    return done.future();
  }

  private void load() {
    List<Promise<Void>> waiting = queued;
    queued = null;
    loading = true;
    pool.query(LOAD).execute().onComplete(result -> {
      loading = false;
      if (result.succeeded()) {
        Set<String> jtis = new HashSet<>();
        Map<String, Long> subjects = new HashMap<>();
        for (Row row : result.result()) {
          if (row.getString("jti") != null) {
            jtis.add(row.getString("jti"));
          } else {
            subjects.merge(row.getString("subject"),
                row.getOffsetDateTime("issued_before").toInstant().toEpochMilli(), Math::max);
          }
        }
        inForce = new InForce(Set.copyOf(jtis), Map.copyOf(subjects));
        waiting.forEach(Promise::tryComplete);
      } else {
        LOG.warn("reading the token revocations failed ({}); the last list read stays in force",
            result.cause().getMessage());
        waiting.forEach(promise -> promise.tryFail(result.cause()));
      }
      if (queued != null) {
        load();
      }
    });
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
