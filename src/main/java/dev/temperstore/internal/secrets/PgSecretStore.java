package dev.temperstore.internal.secrets;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.OverBudget;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.subjects.SubjectCipher;
import dev.temperstore.internal.subjects.SubjectKeyRotation;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.secrets.RotationProgress;
import dev.temperstore.secrets.SecretSettings;
import dev.temperstore.secrets.SecretStore;
import dev.temperstore.internal.secrets.crypto.EncryptedSecret;
import dev.temperstore.internal.secrets.crypto.SecretCipher;
import dev.temperstore.internal.secrets.crypto.SecretDecryptionFailed;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Secrets on PostgreSQL: encrypted in the JVM, one function call per operation. */
public final class PgSecretStore implements SecretStore {

  /** Names listed at most: the budget keeps tenants far below, rows Temper wrote may not be. */
  static final int MAX_LISTED = 10_000;

  private static final String PUT = "SELECT temper_store_put_secret($1, $2, $3, $4, $5, $6) AS outcome";
  private static final String GET = "SELECT ciphertext, nonce, key_version FROM temper_store_get_secret($1, $2)";
  private static final String DELETE = "SELECT temper_store_delete_secret($1, $2) AS deleted";
  private static final String LIST = "SELECT key_name FROM temper_store_list_secrets($1, $2)";

  private final Pool pool;
  private final SecretCipher cipher;
  private final SecretSettings settings;
  private final SecretRotation rotation;
  /** The subjects' data keys are wrapped by the same master keys: a rotation moves them too. */
  private final SubjectKeyRotation keyRotation;

  /** @throws IllegalArgumentException when {@code settings} has no key: use {@code DisabledSecretStore} then */
  public PgSecretStore(Vertx vertx, Pool pool, SecretSettings settings) {
    this.pool = pool;
    this.settings = settings;
    this.cipher = new SecretCipher(settings.keys());
    this.rotation = new SecretRotation(vertx, pool, cipher, settings);
    this.keyRotation = new SubjectKeyRotation(vertx, pool, new SubjectCipher(settings.keys()),
        settings.keys().primary().version(), settings.rotationBatchSize());
  }

  @Override
  public Uni<Boolean> put(String tenant, String keyName, String value) {
    return Uni.createFrom().deferred(() -> {
      check(tenant, keyName);
      byte[] plaintext = SecretRules.value(value, settings.maxValueBytes());
      EncryptedSecret encrypted;
      try {
        encrypted = cipher.encrypt(tenant, keyName, plaintext);
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
      Tuple args = Tuple.of(tenant, keyName, Buffer.buffer(encrypted.ciphertext()), Buffer.buffer(encrypted.nonce()),
          encrypted.keyVersion(), settings.maxPerTenant());
      return Reactive.uni(() -> pool.preparedQuery(PUT).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException(describe("put of", tenant, keyName), e))
          .map(rows -> switch (rows.iterator().next().getString("outcome")) {
            case "created" -> true;
            case "replaced" -> false;
            default -> throw new OverBudget("tenant " + tenant + " already has " + settings.maxPerTenant()
                + " secrets, the most it may have: replace or delete one first");
          });
    });
  }

  @Override
  public Uni<Optional<String>> get(String tenant, String keyName) {
    return Uni.createFrom().deferred(() -> {
      check(tenant, keyName);
      return Reactive.uni(() -> pool.preparedQuery(GET).execute(Tuple.of(tenant, keyName)))
          .onFailure().transform(e -> SqlErrors.toStoreException(describe("get of", tenant, keyName), e))
          .map(rows -> {
            if (rows.size() == 0) {
              return Optional.empty();
            }
            Row row = rows.iterator().next();
            EncryptedSecret secret = new EncryptedSecret(row.getInteger("key_version"),
                row.getBuffer("nonce").getBytes(), row.getBuffer("ciphertext").getBytes());
            return Optional.of(decrypt(tenant, keyName, secret));
          });
    });
  }

  @Override
  public Uni<Boolean> delete(String tenant, String keyName) {
    return Uni.createFrom().deferred(() -> {
      check(tenant, keyName);
      return Reactive.uni(() -> pool.preparedQuery(DELETE).execute(Tuple.of(tenant, keyName)))
          .onFailure().transform(e -> SqlErrors.toStoreException(describe("delete of", tenant, keyName), e))
          .map(rows -> rows.iterator().next().getBoolean("deleted"));
    });
  }

  @Override
  public Uni<List<String>> listKeyNames(String tenant) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      return Reactive.uni(() -> pool.preparedQuery(LIST).execute(Tuple.of(tenant, MAX_LISTED)))
          .onFailure().transform(e -> SqlErrors.toStoreException("listing of the secrets of tenant " + tenant, e))
          .map(rows -> {
            List<String> names = new ArrayList<>(rows.size());
            rows.forEach(row -> names.add(row.getString("key_name")));
            return names;
          });
    });
  }

  @Override
  public Uni<RotationProgress> rotate(String tenant, int maxRows) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      if (maxRows < 1) {
        throw new InvalidRequest("maxRows must be at least 1, got " + maxRows);
      }
      return rotation.rotateTenant(tenant, maxRows).flatMap(secrets -> keyRotation
          .rewrap(tenant, maxRows - secrets.rotated() - secrets.failed(), progress -> { })
          .map(keys -> new RotationProgress(secrets.rotated() + keys.rotated(), secrets.failed() + keys.failed(),
              secrets.remaining() + keys.remaining())));
    });
  }

  private String decrypt(String tenant, String keyName, EncryptedSecret secret) {
    byte[] plaintext;
    try {
      plaintext = cipher.decrypt(tenant, keyName, secret);
    } catch (SecretDecryptionFailed e) {
      throw new StorageFailure(e.getMessage(), e);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(plaintext)).toString();
    } catch (CharacterCodingException e) {
      throw new StorageFailure(describe("the value of", tenant, keyName) + " is not UTF-8 text", null);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private static void check(String tenant, String keyName) {
    Tenants.validate(tenant);
    SecretRules.keyName(keyName);
  }

  private static String describe(String what, String tenant, String keyName) {
    return what + " secret \"" + keyName + "\" of tenant " + tenant;
  }
}
