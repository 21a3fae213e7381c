package dev.temperstore.testing;

import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A feed reader for tests whose writers are still at work: it pages from the start while {@code writing} runs,
 * asserting at every event that positions only grow, and once the writers are done (and the server-wide horizon is
 * past every event) reads one last time up to the end.
 */
public final class FeedReader {

  private FeedReader() {
  }

  /** The events of {@code pages}, read one after the other, stand at growing positions, each once. */
  public static void assertPositionsGrow(FeedPage... pages) {
    List<FeedPosition> positions = new ArrayList<>();
    for (FeedPage page : pages) {
      page.events().forEach(event -> positions.add(event.position()));
    }
    assertThat(positions).isSorted().doesNotHaveDuplicates();
  }

  /** Every event read, in the order read; {@code read} returns the page after a position. */
  public static List<FeedEvent> readWhileWriting(Function<FeedPosition, FeedPage> read, Future<?> writing,
                                                 TestDatabase database) throws InterruptedException {
    List<FeedEvent> seen = new ArrayList<>();
    FeedPosition position = FeedPosition.START;
    boolean finalPass = false;
    while (true) {
      FeedPage page = read.apply(position);
      for (FeedEvent event : page.events()) {
        assertThat(event.position()).isGreaterThan(position);
        position = event.position();
        seen.add(event);
      }
      if (page.hasMore()) {
        continue;
      }
      if (finalPass) {
        return seen;
      }
      if (writing.isDone()) {
        // Everything is committed: one more read up to the end, once no transaction elsewhere on the server holds
        // the horizon below the last commits.
        FeedHorizon.awaitPastEveryEvent(database);
        finalPass = true;
      } else {
        Thread.sleep(5);
      }
    }
  }
}
