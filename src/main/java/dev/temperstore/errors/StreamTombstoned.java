package dev.temperstore.errors;

import io.vertx.core.json.JsonObject;

/**
 * 410: the stream was tombstoned ({@code streams.tombstone}) and takes no event ever again. Not a conflict to
 * re-read and retry: no expected sequence can succeed.
 */
public final class StreamTombstoned extends StoreException {

  public static final int CODE = 410;

  private final String persistenceId;

  public StreamTombstoned(String persistenceId) {
    this(persistenceId, "stream " + persistenceId + " is tombstoned: it takes no more events");
  }

  StreamTombstoned(String persistenceId, String message) {
    super(message, null);
    this.persistenceId = persistenceId;
  }

  public String persistenceId() {
    return persistenceId;
  }

  @Override
  public int code() {
    return CODE;
  }

  @Override
  public JsonObject toJson() {
    return super.toJson().put("persistenceId", persistenceId);
  }
}
