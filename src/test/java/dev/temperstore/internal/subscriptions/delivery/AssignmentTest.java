package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.SubscriptionMember;
import dev.temperstore.internal.subscriptions.SubscriptionRow;
import dev.temperstore.tenancy.PersistenceId;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Rendezvous hashing: every stream to one member, shares about even, and only the necessary streams move. */
class AssignmentTest {

  private static final SubscriptionRow SUBSCRIPTION = new SubscriptionRow("acme", "group", "app.group",
      FeedFilter.ALL, FeedPosition.START, 1);
  private static final int STREAMS = 3000;

  @Test
  void without_members_every_stream_goes_to_the_subscriptions_own_address() {
    Assignment none = Assignment.of(SUBSCRIPTION, List.of());

    assertThat(none.owner(stream(7))).isEqualTo(new Target("", "app.group"));
    assertThat(none.members()).isZero();
  }

  @Test
  void three_members_share_the_streams_about_evenly_whatever_order_they_are_listed_in() {
    Assignment abc = of("a", "b", "c");
    Assignment cab = of("c", "a", "b");

    Map<String, Integer> shares = new HashMap<>();
    for (int i = 0; i < STREAMS; i++) {
      assertThat(cab.owner(stream(i))).isEqualTo(abc.owner(stream(i)));
      shares.merge(abc.owner(stream(i)).member(), 1, Integer::sum);
    }
    assertThat(shares).containsOnlyKeys("a", "b", "c")
        .allSatisfy((member, share) -> assertThat(share).isBetween(STREAMS / 3 - 150, STREAMS / 3 + 150));
    assertThat(abc.members()).isEqualTo(3);
  }

  @Test
  void a_member_that_joins_takes_streams_only_from_the_others_and_one_that_leaves_gives_up_only_its_own() {
    Assignment abc = of("a", "b", "c");
    Assignment abcd = of("a", "b", "c", "d");
    Assignment ac = of("a", "c");

    int movedToD = 0;
    for (int i = 0; i < STREAMS; i++) {
      Target before = abc.owner(stream(i));
      Target joined = abcd.owner(stream(i));
      if (!joined.equals(before)) {
        movedToD++;
        assertThat(joined.member()).isEqualTo("d");
      }
      Target left = ac.owner(stream(i));
      if (!before.member().equals("b")) {
        assertThat(left).as("stream " + i + " stays with its member").isEqualTo(before);
      }
    }
    assertThat(movedToD).isBetween(STREAMS / 4 - 150, STREAMS / 4 + 150);
  }

  private static Assignment of(String... names) {
    return Assignment.of(SUBSCRIPTION, java.util.Arrays.stream(names)
        .map(name -> new SubscriptionMember(name, "app." + name, Instant.now().plusSeconds(10))).toList());
  }

  private static PersistenceId stream(int i) {
    return PersistenceId.parse("acme:Order:o-" + i);
  }
}
