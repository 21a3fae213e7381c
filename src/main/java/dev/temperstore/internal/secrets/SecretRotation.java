package dev.temperstore.internal.secrets;

import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.secrets.RotationProgress;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.internal.secrets.crypto.EncryptedSecret;
import dev.temperstore.internal.secrets.crypto.SecretCipher;
import dev.temperstore.internal.secrets.crypto.SecretDecryptionFailed;
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
 * Re-encrypts secrets under the primary key in bounded batches while the store keeps serving.
 *
 * <p>A batch reads a tenant's next secrets under another key (a key-name cursor), re-encrypts them off the event
 * loop, and stores each one only if nobody replaced it meanwhile (same key version and nonce as read); a secret
 * replaced meanwhile is already under the primary key. Nothing is remembered between batches but the cursor: a
 * rotation stopped anywhere (a crash, a deploy) simply starts again and finds only what is left.
 */
public final class SecretRotation {

  private static final Logger LOG = LoggerFactory.getLogger(SecretRotation.class);

  private static final String TENANTS = "SELECT tenant FROM temper_store_secret_tenants_to_rotate($1, $2, $3)";
  private static final String NEXT = "SELECT key_name, ciphertext, nonce, key_version"
      + " FROM temper_store_secrets_to_rotate($1, $2, $3, $4)";
  private static final String STORE = "SELECT temper_store_store_rotated_secrets($1, $2, $3, $4, $5, $6, $7) AS stored";
  private static final String REMAINING = "SELECT temper_store_count_secrets_to_rotate($1, $2) AS remaining";

  private final Vertx vertx;
  private final Pool pool;
  private final SecretCipher cipher;
  private final SecretSettings settings;

  public SecretRotation(Vertx vertx, Pool pool, SecretCipher cipher, SecretSettings settings) {
    this.vertx = vertx;
    this.pool = pool;
    this.cipher = cipher;
    this.settings = settings;
  }

  /** Up to {@code maxRows} of one tenant's secrets. */
  public Uni<RotationProgress> rotateTenant(String tenant, long maxRows) {
    return rotateTenant(tenant, null, maxRows, new RotationProgress(0, 0, 0))
        .flatMap(progress -> remaining(tenant).map(left -> new RotationProgress(progress.rotated(),
            progress.failed(), left)));
  }

  /**
   * Every tenant's secrets, reporting after each batch. Sees every tenant only as a role that row-level security
   * does not filter: the tables' owner (without FORCE) or a BYPASSRLS role.
   */
  public Uni<RotationProgress> rotateAll(Consumer<RotationProgress> progress) {
    return rotateTenantsAfter(null, new RotationProgress(0, 0, 0), progress)
        .flatMap(done -> remaining(null).map(left -> new RotationProgress(done.rotated(), done.failed(), left)));
  }

  /** Secrets not yet under the primary key: of one tenant, or of all when {@code tenant} is null. */
  public Uni<Long> remaining(String tenant) {
    return Reactive.uni(() -> pool.preparedQuery(REMAINING).execute(Tuple.of(tenant, primary())))
        .map(rows -> rows.iterator().next().getLong("remaining"))
        .onFailure().transform(e -> SqlErrors.toStoreException("rotation count", e));
  }

  private Uni<RotationProgress> rotateTenantsAfter(String after, RotationProgress sofar,
                                                   Consumer<RotationProgress> progress) {
    return Reactive.uni(() -> pool.preparedQuery(TENANTS).execute(Tuple.of(primary(), after, 100)))
        .onFailure().transform(e -> SqlErrors.toStoreException("rotation tenant listing", e))
        .flatMap(rows -> {
          List<String> tenants = new ArrayList<>();
          rows.forEach(row -> tenants.add(row.getString("tenant")));
          if (tenants.isEmpty()) {
            return Uni.createFrom().item(sofar);
          }
          Uni<RotationProgress> chain = Uni.createFrom().item(sofar);
          for (String tenant : tenants) {
            chain = chain.flatMap(done -> rotateTenant(tenant, null, Long.MAX_VALUE, done, progress));
          }
          return chain.flatMap(done -> rotateTenantsAfter(tenants.get(tenants.size() - 1), done, progress));
        });
  }

  private Uni<RotationProgress> rotateTenant(String tenant, String afterKey, long maxRows, RotationProgress sofar) {
    return rotateTenant(tenant, afterKey, maxRows, sofar, ignored -> { });
  }

  private Uni<RotationProgress> rotateTenant(String tenant, String afterKey, long maxRows, RotationProgress sofar,
                                             Consumer<RotationProgress> progress) {
    long done = sofar.rotated() + sofar.failed();
    int limit = (int) Math.min(settings.rotationBatchSize(), maxRows - done);
    if (limit <= 0) {
      return Uni.createFrom().item(sofar);
    }
    Tuple args = Tuple.of(tenant, primary(), afterKey, limit);
    return Reactive.uni(() -> pool.preparedQuery(NEXT).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException("rotation read of tenant " + tenant, e))
        .flatMap(rows -> {
          List<Row> batch = new ArrayList<>();
          rows.forEach(batch::add);
          if (batch.isEmpty()) {
            return Uni.createFrom().item(sofar);
          }
          String last = batch.get(batch.size() - 1).getString("key_name");
          return reencrypt(tenant, batch)
              .flatMap(reencrypted -> store(tenant, reencrypted))
              .map(batchProgress -> sofar.plus(batchProgress))
              .invoke(progress)
              .flatMap(next -> batch.size() < limit ? Uni.createFrom().item(next)
                  : rotateTenant(tenant, last, maxRows, next, progress));
        });
  }

  /** Decrypts and encrypts again on a worker thread: a batch is too much crypto for an event loop. */
  private Uni<Reencrypted> reencrypt(String tenant, List<Row> batch) {
    return Reactive.uni(() -> vertx.executeBlocking(() -> {
      Reencrypted result = new Reencrypted();
      for (Row row : batch) {
        String keyName = row.getString("key_name");
        EncryptedSecret old = new EncryptedSecret(row.getInteger("key_version"), row.getBuffer("nonce").getBytes(),
            row.getBuffer("ciphertext").getBytes());
        try {
          result.add(keyName, old, cipher.reencrypt(tenant, keyName, old));
        } catch (SecretDecryptionFailed e) {
          result.failed++;
          LOG.warn("rotation left a secret as it is: {}", e.getMessage());
        }
      }
      return result;
    }, false));
  }

  private Uni<RotationProgress> store(String tenant, Reencrypted batch) {
    if (batch.keys.isEmpty()) {
      return Uni.createFrom().item(new RotationProgress(0, batch.failed, 0));
    }
    Tuple args = Tuple.of(tenant, batch.keys.toArray(String[]::new), batch.oldVersions.toArray(Integer[]::new),
        batch.oldNonces.toArray(Buffer[]::new), batch.ciphertexts.toArray(Buffer[]::new),
        batch.nonces.toArray(Buffer[]::new), primary());
    return Reactive.uni(() -> pool.preparedQuery(STORE).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException("rotation write of tenant " + tenant, e))
        .map(rows -> new RotationProgress(rows.iterator().next().getInteger("stored"), batch.failed, 0));
  }

  private int primary() {
    return settings.keys().primary().version();
  }

  /** One batch after re-encryption, as the columns the store function takes. */
  private static final class Reencrypted {
    final List<String> keys = new ArrayList<>();
    final List<Integer> oldVersions = new ArrayList<>();
    final List<Buffer> oldNonces = new ArrayList<>();
    final List<Buffer> ciphertexts = new ArrayList<>();
    final List<Buffer> nonces = new ArrayList<>();
    long failed;

    void add(String keyName, EncryptedSecret old, EncryptedSecret fresh) {
      keys.add(keyName);
      oldVersions.add(old.keyVersion());
      oldNonces.add(Buffer.buffer(old.nonce()));
      ciphertexts.add(Buffer.buffer(fresh.ciphertext()));
      nonces.add(Buffer.buffer(fresh.nonce()));
    }
  }
}
