package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.feed.FeedEvent;
import dev.temperstore.internal.subjects.Opening;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.LifecycleNotice;
import dev.temperstore.internal.subscriptions.LifecycleChange;
import dev.temperstore.tenancy.PersistenceId;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * A deliverer's events read ahead and not yet past its checkpoint, in feed order, and which of them are in flight
 * to which target. Not thread-safe: the deliverer's context only.
 *
 * <p>Two rules keep every stream in order and with one target at a time. A stream's events go out only while no
 * batch holding that stream is in flight, so its next batch leaves only once its previous one is answered, and a
 * stream moves to another target (after members joined or left) only between batches. A batch takes each
 * stream's first events not yet acknowledged, so a failed batch is sent again, to the stream's owner by then,
 * from the same first event. Batches are acknowledged in any order; the checkpoint is the position just before
 * the first event not acknowledged, and events acknowledged beyond it are remembered here until it passes them.
 */
final class DeliveryWindow {

  /** One batch: events of one target's streams, in feed order. */
  record Batch(Target target, List<FeedEvent> events, List<Entry> entries) {
  }

  private static final class Entry {
    /** Replaced only by {@link #redact}: the same event, its personal fields forgotten. */
    private FeedEvent event;
    private boolean sent;
    private boolean acknowledged;
    /** No longer served (a lifecycle change): dropped rather than sent again should its batch fail. */
    private boolean hidden;

    private Entry(FeedEvent event) {
      this.event = event;
    }
  }

  private static final class Stream {
    /** Entries of the stream in the window. */
    private int entries;
    /** Its owner under the current assignment; null until asked. */
    private Target owner;
    /** The target a batch holding it is in flight to, or null. */
    private Target sentTo;
  }

  /**
   * A batch's events, estimated by {@link #bytes}, at most this (or one event, whatever its size): with the
   * credit at 256 and events of up to 256 KiB (temper.events.max-event-bytes), a batch of them would be a 64 MiB
   * message, over what a bridge client takes in one frame.
   */
  static final long MAX_BATCH_BYTES = 4L * 1024 * 1024;
  /** Per event besides its payload: ids, types, metadata and the JSON around them. */
  private static final int EVENT_OVERHEAD_BYTES = 512;

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final Map<PersistenceId, Stream> streams = new HashMap<>();
  private Assignment assignment;

  int size() {
    return entries.size();
  }

  void add(List<FeedEvent> events) {
    for (FeedEvent event : events) {
      entries.add(new Entry(event));
      streams.computeIfAbsent(event.persistenceId(), id -> new Stream()).entries++;
    }
  }

  /** From now on streams go to their owners under {@code next}; those in flight move once answered. */
  void assign(Assignment next) {
    assignment = next;
    streams.values().forEach(stream -> stream.owner = null);
  }

  /**
   * Builds at most one batch for each of the {@code idle} targets, of at most {@code maxBatch} events for that
   * target and at most {@link #MAX_BATCH_BYTES} (unless of one event), from the events not yet sent of the streams
   * each owns that no batch in flight holds; the events taken are in flight until {@link #acknowledge}d or
   * {@link #release}d.
   */
  List<Batch> take(Set<Target> idle, ToIntFunction<Target> maxBatch) {
    if (assignment == null || idle.isEmpty()) {
      return List.of();
    }
    Map<Target, List<Entry>> building = new LinkedHashMap<>();
    Map<Target, Long> bytes = new HashMap<>();
    /** Targets whose batch is full, by count or by bytes. */
    Set<Target> closed = new HashSet<>();
    Set<PersistenceId> takenNow = new HashSet<>();
    for (Entry entry : entries) {
      if (closed.size() == idle.size()) {
        break;
      }
      if (entry.sent || entry.acknowledged) {
        continue;
      }
      Stream stream = streams.get(entry.event.persistenceId());
      if (stream.owner == null) {
        stream.owner = assignment.owner(entry.event.persistenceId());
      }
      Target owner = stream.owner;
      // in a batch in flight (to its owner or its previous one): it waits for that batch's answer
      if (!idle.contains(owner) || (stream.sentTo != null && !takenNow.contains(entry.event.persistenceId()))) {
        continue;
      }
      if (closed.contains(owner)) {
        continue;
      }
      List<Entry> batch = building.computeIfAbsent(owner, target -> new ArrayList<>());
      long size = bytes(entry.event);
      if (!batch.isEmpty() && bytes.getOrDefault(owner, 0L) + size > MAX_BATCH_BYTES) {
        closed.add(owner); // nothing after it either, not even a smaller event of its stream
        continue;
      }
      batch.add(entry);
      bytes.merge(owner, size, Long::sum);
      entry.sent = true;
      stream.sentTo = owner;
      takenNow.add(entry.event.persistenceId());
      if (batch.size() == maxBatch.applyAsInt(owner)) {
        closed.add(owner);
      }
    }
    List<Batch> batches = new ArrayList<>(building.size());
    building.forEach((target, taken) ->
        batches.add(new Batch(target, taken.stream().map(entry -> entry.event).toList(), taken)));
    return batches;
  }

  /**
   * Marks {@code batch} acknowledged and drops the acknowledged events at the head of the window: the position of
   * the last one dropped (the new checkpoint), or null when the head is still unacknowledged.
   */
  FeedPosition acknowledge(Batch batch) {
    for (Entry entry : batch.entries()) {
      entry.acknowledged = true;
      streams.get(entry.event.persistenceId()).sentTo = null;
    }
    return passAcknowledged();
  }

  /**
   * Events that {@code change} no longer serves: those not sent are dropped (passed as if acknowledged), those in
   * flight once their batch is answered, or failed (then they are not sent again). Lifecycle notices stay. Returns
   * the position of the last event dropped at the head of the window (the new checkpoint), or null.
   */
  FeedPosition hide(LifecycleChange change) {
    for (Entry entry : entries) {
      if (entry.acknowledged || LifecycleNotice.isNoticeType(entry.event.event().eventType())
          || !change.hides(entry.event.persistenceId(), entry.event.event().sequenceNr())) {
        continue;
      }
      if (entry.sent) {
        entry.hidden = true;
      } else {
        entry.acknowledged = true;
      }
    }
    return passAcknowledged();
  }

  /**
   * The subject {@code subject} was forgotten at {@code since}: its events in the window read as forgotten from
   * now on, those not sent yet and those sent that fail and are sent again (a batch already sent may arrive with
   * them as they were, the bound docs/protocol.md states).
   */
  void redact(String subject, java.time.Instant since) {
    for (Entry entry : entries) {
      dev.temperstore.events.StoredEvent event = entry.event.event();
      if (!entry.acknowledged && event.redaction().isEmpty()
          && event.personal().map(personal -> personal.subject().equals(subject)).orElse(false)) {
        entry.event = new FeedEvent(entry.event.position(), entry.event.persistenceId(),
            Opening.forgotten(event, since));
      }
    }
  }

  private FeedPosition passAcknowledged() {
    FeedPosition passed = null;
    while (!entries.isEmpty() && entries.peekFirst().acknowledged) {
      Entry head = entries.pollFirst();
      passed = head.event.position();
      Stream stream = streams.get(head.event.persistenceId());
      if (--stream.entries == 0) {
        streams.remove(head.event.persistenceId());
      }
    }
    return passed;
  }

  /** An event's share of a delivery message: its payload's text and a fixed share for the rest. */
  private static long bytes(FeedEvent event) {
    return event.event().payloadTextLength() + EVENT_OVERHEAD_BYTES;
  }

  /**
   * {@code batch} failed: its events are to be sent again, first of their streams, except those hidden meanwhile.
   * Returns the position the checkpoint passed through them, or null.
   */
  FeedPosition release(Batch batch) {
    for (Entry entry : batch.entries()) {
      entry.sent = false;
      entry.acknowledged = entry.hidden;
      streams.get(entry.event.persistenceId()).sentTo = null;
    }
    return passAcknowledged();
  }
}
