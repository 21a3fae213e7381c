package dev.temperstore.internal.events;

import dev.temperstore.errors.StorageFailure;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.IsoInstant;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.sqlclient.Row;

import java.util.UUID;

/**
 * Event metadata read as five text columns that PostgreSQL takes out of the stored JSONB, rather than as a JSON
 * document for the client to parse: parsing each row's metadata into a tree took about a quarter of the store's
 * time on reads (docs/decisions/0008-replies-read-as-written-metadata-as-text.md), and the fields are all the store
 * wants of it.
 */
public final class MetadataColumns {

  /**
   * The select-list items, for a query over rows (or a function's result) with a {@code metadata} column; they are
   * read by position, from the first of them (a column looked up by name costs a scan of the row's column names).
   */
  public static final String SELECT = "metadata ->> 'event_id' AS event_id,"
      + " metadata ->> 'causation_id' AS causation_id, metadata ->> 'correlation_id' AS correlation_id,"
      + " metadata ->> 'timestamp' AS event_timestamp, metadata ->> 'actor_id' AS actor_id,"
      + " metadata #>> '{personal,sealed}' AS sealed, ((metadata -> 'personal') - 'sealed')::text AS marking";

  /** How many columns {@link #SELECT} has. */
  public static final int COUNT = 7;

  private MetadataColumns() {
  }

  /**
   * The sealed values of the row's personal fields (internal/subjects/SealedFields), from {@link #SELECT}'s columns
   * at {@code first}; null when it has none.
   */
  public static String sealed(Row row, int first) {
    return row.getString(first + 5);
  }

  /**
   * The row's personal data marking as JSON (subject, fields, replacements: the same text for every event that marks
   * the same), from {@link #SELECT}'s columns at {@code first}; null when it has none.
   */
  public static String marking(Row row, int first) {
    return row.getString(first + 6);
  }

  /**
   * The metadata of the event at {@code sequence} of {@code stream}, from the columns of {@link #SELECT} that start
   * at position {@code first}.
   *
   * @throws StorageFailure Temper's serialization error, when the row's metadata is not of Temper's shape
   */
  public static EventMetadata read(Row row, int first, PersistenceId stream, long sequence) {
    try {
      return new EventMetadata(
          UUID.fromString(row.getString(first)),
          UUID.fromString(row.getString(first + 1)),
          UUID.fromString(row.getString(first + 2)),
          IsoInstant.parse(row.getString(first + 3)),
          row.getString(first + 4));
    } catch (RuntimeException e) {
      throw new StorageFailure("serialization error: metadata of " + stream + " at sequence " + sequence
          + " is not valid event metadata: " + e.getMessage(), e);
    }
  }
}
