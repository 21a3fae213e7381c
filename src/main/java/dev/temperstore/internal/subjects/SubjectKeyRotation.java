package dev.temperstore.internal.subjects;

import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.secrets.RotationProgress;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Wraps the subjects' data keys again under the primary master key, in bounded batches while the store serves
 * (subjects/keys.sql): the data keys, and so every sealed field, stay as they are; only their wrapping changes, so
 * that an old master key can be retired. A key is stored only if its row is as it was read (a forget meanwhile
 * wins). Nothing is kept between batches but the cursor: a rotation stopped anywhere starts again on what is left.
 */
public final class SubjectKeyRotation {

  private static final Logger LOG = LoggerFactory.getLogger(SubjectKeyRotation.class);

  private static final String NEXT = "SELECT tenant, subject, key_version, nonce, wrapped_key"
      + " FROM temper_store_subject_keys_to_rewrap($1, $2, $3, $4, $5)";
  private static final String STORE = "SELECT temper_store_store_rewrapped_key($1, $2, $3, $4, $5, $6, $7) AS stored";
  private static final String REMAINING = "SELECT temper_store_count_subject_keys_to_rewrap($1, $2) AS remaining";

  private final Vertx vertx;
  private final Pool pool;
  private final SubjectCipher cipher;
  private final int batchSize;
  private final int primary;

  public SubjectKeyRotation(Vertx vertx, Pool pool, SubjectCipher cipher, int primaryVersion, int batchSize) {
    this.vertx = vertx;
    this.pool = pool;
    this.cipher = cipher;
    this.primary = primaryVersion;
    this.batchSize = batchSize;
  }

  /**
   * Up to {@code maxKeys} data keys of {@code tenant}, or of every tenant when it is null (then as a role that
   * row-level security does not filter), reporting after each batch.
   */
  public Uni<RotationProgress> rewrap(String tenant, long maxKeys, Consumer<RotationProgress> progress) {
    return rewrap(tenant, "", "", maxKeys, new RotationProgress(0, 0, 0), progress)
        .flatMap(done -> remaining(tenant).map(left -> new RotationProgress(done.rotated(), done.failed(), left)));
  }

  /** Data keys not yet under the primary key: of one tenant, or of all when {@code tenant} is null. */
  public Uni<Long> remaining(String tenant) {
    return Reactive.uni(() -> pool.preparedQuery(REMAINING).execute(Tuple.of(tenant, primary)))
        .map(rows -> rows.iterator().next().getLong("remaining"))
        .onFailure().transform(e -> SqlErrors.toStoreException("data key rotation count", e));
  }

  private Uni<RotationProgress> rewrap(String tenant, String afterTenant, String afterSubject, long maxKeys,
                                       RotationProgress sofar, Consumer<RotationProgress> progress) {
    int limit = (int) Math.min(batchSize, maxKeys - sofar.rotated() - sofar.failed());
    if (limit <= 0) {
      return Uni.createFrom().item(sofar);
    }
    Tuple args = Tuple.of(tenant, primary, afterTenant, afterSubject, limit);
    return Reactive.uni(() -> pool.preparedQuery(NEXT).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException("data key rotation read", e))
        .flatMap(rows -> {
          List<Row> batch = new ArrayList<>();
          rows.forEach(batch::add);
          if (batch.isEmpty()) {
            return Uni.createFrom().item(sofar);
          }
          Row last = batch.get(batch.size() - 1);
          return rewrapped(batch)
              .flatMap(this::store)
              .map(sofar::plus)
              .invoke(progress)
              .flatMap(next -> batch.size() < limit ? Uni.createFrom().item(next)
                  : rewrap(tenant, last.getString("tenant"), last.getString("subject"), maxKeys, next, progress));
        });
  }

  private record Rewrapped(Row row, SubjectCipher.WrappedKey fresh) {
  }

  /** Unwraps and wraps again on a worker thread: a batch is too much crypto for an event loop. */
  private Uni<List<Rewrapped>> rewrapped(List<Row> batch) {
    return Reactive.uni(() -> vertx.executeBlocking(() -> {
      List<Rewrapped> done = new ArrayList<>();
      for (Row row : batch) {
        try {
          done.add(new Rewrapped(row, cipher.rewrap(row.getString("tenant"), row.getString("subject"), stored(row))));
        } catch (SubjectCipher.KeyUnavailable e) {
          LOG.warn("rotation left the data key of subject {} of tenant {} as it is: {}", row.getString("subject"),
              row.getString("tenant"), e.getMessage());
          done.add(new Rewrapped(row, null));
        }
      }
      return done;
    }, false));
  }

  private Uni<RotationProgress> store(List<Rewrapped> batch) {
    Uni<RotationProgress> chain = Uni.createFrom().item(new RotationProgress(0, 0, 0));
    for (Rewrapped each : batch) {
      if (each.fresh == null) {
        chain = chain.map(sofar -> sofar.plus(new RotationProgress(0, 1, 0)));
        continue;
      }
      Row row = each.row;
      Tuple args = Tuple.of(row.getString("tenant"), row.getString("subject"), row.getInteger("key_version"),
          row.getBuffer("nonce"), each.fresh.version(), Buffer.buffer(each.fresh.nonce()),
          Buffer.buffer(each.fresh.wrapped()));
      chain = chain.flatMap(sofar -> Reactive.uni(() -> pool.preparedQuery(STORE).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException("data key rotation write", e))
          .map(rows -> rows.iterator().next().getBoolean("stored")
              ? sofar.plus(new RotationProgress(1, 0, 0)) : sofar));
    }
    return chain;
  }

  private static SubjectCipher.WrappedKey stored(Row row) {
    return new SubjectCipher.WrappedKey(row.getInteger("key_version"), row.getBuffer("nonce").getBytes(),
        row.getBuffer("wrapped_key").getBytes());
  }
}
