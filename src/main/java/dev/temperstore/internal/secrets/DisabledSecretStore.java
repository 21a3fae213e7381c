package dev.temperstore.internal.secrets;

import dev.temperstore.secrets.RotationProgress;
import dev.temperstore.secrets.SecretStore;

import dev.temperstore.errors.Unavailable;
import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.Optional;

/** The secret store when no master key is configured: every operation answers 503, the rest of the store works. */
public final class DisabledSecretStore implements SecretStore {

  public static final String MESSAGE = "secret store disabled: no master key configured";

  @Override
  public Uni<Boolean> put(String tenant, String keyName, String value) {
    return disabled();
  }

  @Override
  public Uni<Optional<String>> get(String tenant, String keyName) {
    return disabled();
  }

  @Override
  public Uni<Boolean> delete(String tenant, String keyName) {
    return disabled();
  }

  @Override
  public Uni<List<String>> listKeyNames(String tenant) {
    return disabled();
  }

  @Override
  public Uni<RotationProgress> rotate(String tenant, int maxRows) {
    return disabled();
  }

  private static <T> Uni<T> disabled() {
    return Uni.createFrom().failure(new Unavailable(MESSAGE));
  }
}
