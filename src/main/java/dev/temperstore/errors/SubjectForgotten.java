package dev.temperstore.errors;

import io.vertx.core.json.JsonObject;

/**
 * 410: an append marks personal data of a subject that was forgotten ({@code subjects.forget}). Not retried and not
 * given a new key: a forgotten person's data is not collected again under the same id (docs/security.md).
 */
public final class SubjectForgotten extends StoreException {

  public static final int CODE = 410;

  private final String subject;

  public SubjectForgotten(String tenant, String subject, String since) {
    this(subject, "subject " + subject + " of tenant " + tenant + " was forgotten"
        + (since == null || since.isEmpty() ? "" : " at " + since) + ": no personal data of it is stored again");
  }

  /** {@code what} was refused (e.g. {@code append to acme:Order:o-1}) for marking the forgotten {@code subject}. */
  public static SubjectForgotten refused(String what, String subject, String since) {
    return new SubjectForgotten(subject, what + " refused: subject " + subject + " was forgotten"
        + (since == null || since.isEmpty() ? "" : " at " + since) + "; no personal data of it is stored again");
  }

  SubjectForgotten(String subject, String message) {
    super(message, null);
    this.subject = subject;
  }

  public String subject() {
    return subject;
  }

  @Override
  public int code() {
    return CODE;
  }

  @Override
  public JsonObject toJson() {
    return super.toJson().put("subject", subject);
  }
}
