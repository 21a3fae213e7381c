package dev.temperstore.feed.subscriptions;

import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedPosition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a consumer group's members received, in one arrival order across all of them, and who held each stream
 * when: a member holds a stream from receiving one of its events until it has answered every one it received. A
 * stream received by one member while another holds it is recorded as a violation. A member that goes away
 * ({@link #gone}) stops holding anything: an application that stops no longer handles what it was given.
 */
final class GroupLog {

  record Delivery(String member, FeedEvent event) {
  }

  private record Holder(String member, int unanswered) {
  }

  private final List<Delivery> deliveries = new ArrayList<>();
  private final Map<String, Holder> holders = new HashMap<>();
  private final Set<String> gone = new HashSet<>();
  private final List<String> violations = new ArrayList<>();

  /** Records the delivery; false when {@code member} is gone (the delivery is then ignored, never answered). */
  synchronized boolean received(String member, FeedEvent event) {
    if (gone.contains(member)) {
      return false;
    }
    String stream = event.persistenceId().toString();
    Holder holder = holders.get(stream);
    if (holder != null && holder.unanswered() > 0 && !holder.member().equals(member)) {
      violations.add(stream + " seq " + event.event().sequenceNr() + " went to " + member + " while "
          + holder.member() + " held it");
    }
    int unanswered = holder != null && holder.member().equals(member) ? holder.unanswered() : 0;
    holders.put(stream, new Holder(member, unanswered + 1));
    deliveries.add(new Delivery(member, event));
    return true;
  }

  /** Call before answering the store: the stream may move once the answer is sent. False when the member is gone. */
  synchronized boolean answering(String member, FeedEvent event) {
    if (gone.contains(member)) {
      return false;
    }
    String stream = event.persistenceId().toString();
    Holder holder = holders.get(stream);
    holders.put(stream, new Holder(member, holder.unanswered() - 1));
    return true;
  }

  /** The member stops: it answers nothing more and holds nothing. */
  synchronized void gone(String member) {
    gone.add(member);
    holders.entrySet().removeIf(entry -> entry.getValue().member().equals(member));
  }

  synchronized List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  synchronized Set<FeedPosition> positions() {
    Set<FeedPosition> positions = new HashSet<>();
    deliveries.forEach(delivery -> positions.add(delivery.event().position()));
    return positions;
  }

  /** The members each stream went to. */
  synchronized Map<String, Set<String>> membersByStream() {
    Map<String, Set<String>> members = new LinkedHashMap<>();
    deliveries.forEach(delivery -> members.computeIfAbsent(delivery.event().persistenceId().toString(),
        key -> new TreeSet<>()).add(delivery.member()));
    return members;
  }

  /** Each stream's members in the order it went to them (a member again after another counts again). */
  synchronized Map<String, List<String>> ownersInTurn() {
    Map<String, List<String>> owners = new LinkedHashMap<>();
    deliveries.forEach(delivery -> {
      List<String> turns = owners.computeIfAbsent(delivery.event().persistenceId().toString(),
          key -> new ArrayList<>());
      if (turns.isEmpty() || !turns.get(turns.size() - 1).equals(delivery.member())) {
        turns.add(delivery.member());
      }
    });
    return owners;
  }

  /** Each stream's sequence numbers in arrival order, whoever received them. */
  synchronized Map<String, List<Long>> sequencesByStream() {
    Map<String, List<Long>> streams = new LinkedHashMap<>();
    deliveries.forEach(delivery -> streams.computeIfAbsent(delivery.event().persistenceId().toString(),
        key -> new ArrayList<>()).add(delivery.event().event().sequenceNr()));
    return streams;
  }

  /**
   * Every stream came whole and in order across members and moves: each event arrives only once every earlier
   * one of its stream has (repeats allowed: at least once), and all of {@code 1..length} arrived.
   */
  void assertEveryStreamInOrder(int streams, int length) {
    Map<String, List<Long>> sequences = sequencesByStream();
    assertThat(sequences).hasSize(streams);
    sequences.forEach((stream, arrived) -> {
      long highest = 0;
      for (long sequence : arrived) {
        assertThat(sequence).as(stream + " never skips ahead: " + arrived).isLessThanOrEqualTo(highest + 1);
        highest = Math.max(highest, sequence);
      }
      assertThat(highest).as(stream + " complete").isEqualTo(length);
    });
  }
}
