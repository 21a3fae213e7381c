package dev.temperstore.service.bench;

import java.util.BitSet;

/**
 * What a {@code subscribe} run acknowledged to its appenders and what its subscription delivered: a bit per event
 * of each bench stream, by sequence number. The bookkeeping runs in the JVM being measured, and a set of event ids
 * gave it an object per event that every young collection copied until it was tenured (30 ms pauses, against 1 ms
 * without a subscription); bits make no garbage. Each stream's bits are guarded by their own lock: its appender
 * and the consumer touch them from different event loops, the bench's thread reads them at the end.
 */
final class DeliveryLedger {

  private final BitSet[] acknowledged;
  private final BitSet[] delivered;

  /** A ledger of streams {@code 0} to {@code streams - 1}. */
  DeliveryLedger(int streams) {
    acknowledged = new BitSet[streams];
    delivered = new BitSet[streams];
    for (int i = 0; i < streams; i++) {
      acknowledged[i] = new BitSet();
      delivered[i] = new BitSet();
    }
  }

  /** Sequences {@code first} to {@code last} of {@code stream} were acknowledged to their appender. */
  void acknowledged(int stream, long first, long last) {
    BitSet bits = acknowledged[stream];
    synchronized (bits) {
      bits.set(index(first), index(last) + 1);
    }
  }

  /** Sequence {@code sequence} of {@code stream} was delivered; false if it had been before. */
  boolean delivered(int stream, long sequence) {
    BitSet bits = delivered[stream];
    synchronized (bits) {
      int index = index(sequence);
      if (bits.get(index)) {
        return false;
      }
      bits.set(index);
      return true;
    }
  }

  boolean wasDelivered(int stream, long sequence) {
    BitSet bits = delivered[stream];
    synchronized (bits) {
      return bits.get(index(sequence));
    }
  }

  /** How many acknowledged events were not delivered (yet). */
  long missing() {
    long missing = 0;
    for (int i = 0; i < acknowledged.length; i++) {
      BitSet notDelivered;
      synchronized (acknowledged[i]) {
        notDelivered = (BitSet) acknowledged[i].clone();
      }
      synchronized (delivered[i]) {
        notDelivered.andNot(delivered[i]);
      }
      missing += notDelivered.cardinality();
    }
    return missing;
  }

  /** Sequence numbers start at 1; a bench run writes far fewer than 2^31 events to one stream. */
  private static int index(long sequence) {
    if (sequence < 1 || sequence > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sequence out of the ledger's range: " + sequence);
    }
    return (int) sequence;
  }
}
