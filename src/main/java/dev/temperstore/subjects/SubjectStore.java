package dev.temperstore.subjects;

import io.smallrye.mutiny.Uni;

import java.util.Optional;

/**
 * The data subjects whose personal fields events carry ({@link PersonalData}): forgetting one, and the subject's
 * right of access. Every method returns a lazy {@link Uni}; failures arrive as
 * {@link dev.temperstore.errors.StoreException}s.
 */
public interface SubjectStore {

  /**
   * Destroys the subject's data key: from the commit on, every personal field of the subject reads as its
   * replacement, in every read path, and every append that marks the subject is refused
   * ({@code SubjectForgotten}, 410). Idempotent; audited with {@code actor}.
   */
  Uni<ForgetReceipt> forget(String tenant, String subject, String actor);

  /** Up to {@code limit} events' personal fields of the subject, after {@code after}, decrypted. */
  Uni<SubjectExport> export(String tenant, String subject, Optional<SubjectCursor> after, int limit);

  /** Up to {@code limit} events of the subject, after {@code after}, each tried for decryption (see {@link SubjectCheck}). */
  Uni<SubjectCheck> check(String tenant, String subject, Optional<SubjectCursor> after, int limit);
}
