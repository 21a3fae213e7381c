package dev.temperstore.secrets;

import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.Optional;

/**
 * Tenants' secrets (API keys, tokens), encrypted at rest with AES-256-GCM bound to their tenant and name.
 * Plaintext appears only in what {@link #get} returns: never in logs, errors or other replies.
 *
 * <p>Failures are {@link dev.temperstore.errors.StoreException}s: {@code InvalidRequest} (bad tenant or key name),
 * {@code TooLarge} (value over the limit), {@code OverBudget} (a new secret beyond the tenant's budget),
 * {@code StorageFailure} (including a stored secret that does not decrypt), {@code Unavailable} (no master key).
 */
public interface SecretStore {

  /** Creates or replaces; emits true when the secret was created, false when replaced. */
  Uni<Boolean> put(String tenant, String keyName, String value);

  /** The plaintext, or empty when there is no such secret. */
  Uni<Optional<String>> get(String tenant, String keyName);

  /** Emits whether there was such a secret. */
  Uni<Boolean> delete(String tenant, String keyName);

  /** The tenant's secret names, sorted. */
  Uni<List<String>> listKeyNames(String tenant);

  /** Re-encrypts up to {@code maxRows} of the tenant's secrets that are not under the primary key. */
  Uni<RotationProgress> rotate(String tenant, int maxRows);
}
