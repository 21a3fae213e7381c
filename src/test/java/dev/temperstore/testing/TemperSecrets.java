package dev.temperstore.testing;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Secrets as Temper's vault wrote them: AES-256-GCM, a random 12-byte nonce, no associated data. */
public final class TemperSecrets {

  private TemperSecrets() {
  }

  /** Inserts a row the way Temper did (key_version is left to its default, the legacy version). */
  public static void insert(Sql sql, String tenant, String keyName, String value) {
    byte[] nonce = new byte[12];
    new SecureRandom().nextBytes(nonce);
    byte[] ciphertext;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Base64.getDecoder().decode(TestKeys.LEGACY_KEY), "AES"),
          new GCMParameterSpec(128, nonce));
      ciphertext = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    sql.rows("INSERT INTO tenant_secrets (tenant, key_name, ciphertext, nonce) VALUES ($1, $2, $3, $4)",
        tenant, keyName, Buffer.buffer(ciphertext), Buffer.buffer(nonce));
  }
}
