package dev.temperstore.testing;

import dev.temperstore.feed.FeedEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The feed's promise to each stream: its events come in sequence order. Checked on the table itself, over the
 * order the feed serves ({@code coalesce(tx_id, 0), id}), and on what a consumer received.
 */
public final class StreamOrder {

  private StreamOrder() {
  }

  /** Each event the feed serves after a later event of its own stream, as {@code "tenant:type:id n after m"}. */
  public static List<String> outOfSequenceInTable(TestDatabase database) {
    return database.admin().strings("SELECT tenant || ':' || entity_type || ':' || entity_id || ' ' || sequence_nr"
        + " || ' after ' || previous FROM (SELECT tenant, entity_type, entity_id, sequence_nr, lag(sequence_nr)"
        + " OVER (PARTITION BY tenant, entity_type, entity_id ORDER BY coalesce(tx_id, '0'::xid8), id) AS previous"
        + " FROM events) AS served WHERE previous >= sequence_nr ORDER BY 1");
  }

  /**
   * A consumer as docs/protocol.md tells it to be: it remembers each stream's last sequence number and drops an
   * event that is not newer. It keeps what it would apply, and what it dropped.
   */
  public static final class Consumer {

    private final Map<String, Long> last = new HashMap<>();
    private final List<FeedEvent> applied = new ArrayList<>();
    private final List<String> dropped = new ArrayList<>();

    public synchronized void accept(FeedEvent event) {
      String stream = event.persistenceId().toString();
      long sequence = event.event().sequenceNr();
      Long previous = last.get(stream);
      if (previous != null && sequence <= previous) {
        dropped.add(stream + " " + sequence + " after " + previous);
      } else {
        last.put(stream, sequence);
        applied.add(event);
      }
    }

    public synchronized List<FeedEvent> applied() {
      return List.copyOf(applied);
    }

    public synchronized List<String> dropped() {
      return List.copyOf(dropped);
    }
  }
}
