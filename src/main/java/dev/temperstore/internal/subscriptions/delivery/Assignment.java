package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.feed.subscriptions.SubscriptionMember;
import dev.temperstore.internal.subscriptions.SubscriptionRow;
import dev.temperstore.tenancy.PersistenceId;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;

/**
 * Which target owns each stream: the subscription's live members, or its own address when it has none. Streams
 * are shared by rendezvous hashing: each stream goes to the member whose hash with it is highest, so a member
 * that joins takes streams only from the others, in proportion, and one that leaves gives up only its own; the
 * rest stay where they are. The hash depends only on the stream and the member's name, so every store computes the
 * same assignment from the same members.
 */
final class Assignment {

  private final List<Target> targets;
  private final long[] hashes;

  private Assignment(List<Target> targets) {
    this.targets = targets;
    this.hashes = new long[targets.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = mix(hash(targets.get(i).member()));
    }
  }

  /** The live {@code members} (in any order), or the subscription's own address when there are none. */
  static Assignment of(SubscriptionRow subscription, List<SubscriptionMember> members) {
    if (members.isEmpty()) {
      return new Assignment(List.of(Target.own(subscription)));
    }
    return new Assignment(members.stream().map(Target::of).sorted(Comparator.comparing(Target::member)).toList());
  }

  /** The targets, by member name. */
  List<Target> targets() {
    return targets;
  }

  /** Members delivered to (0 when the subscription delivers to its own address). */
  int members() {
    return targets.get(0).isMember() ? targets.size() : 0;
  }

  /** The target that {@code stream} goes to. */
  Target owner(PersistenceId stream) {
    if (targets.size() == 1) {
      return targets.get(0);
    }
    long streamHash = hash(stream.toString());
    int best = 0;
    long bestScore = Long.MIN_VALUE;
    for (int i = 0; i < hashes.length; i++) {
      long score = mix(streamHash ^ hashes[i]);
      if (score > bestScore) { // ties (vanishingly rare) go to the first by name
        bestScore = score;
        best = i;
      }
    }
    return targets.get(best);
  }

  boolean sameTargets(Assignment other) {
    return targets.equals(other.targets);
  }

  @Override
  public String toString() {
    return targets.toString();
  }

  /** 64-bit FNV-1a over the UTF-8 bytes: the same on every JVM. */
  private static long hash(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  /** MurmurHash3's 64-bit finaliser: spreads every input bit over the whole result. */
  private static long mix(long value) {
    long h = value;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb93fe53cd4e3L;
    h ^= h >>> 33;
    return h;
  }
}
