package dev.temperstore.feed;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.internal.input.Text;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place in the global order: the writing transaction, then the event's id. Written {@code "tx:id"} (e.g.
 * {@code "81234:5567"}); {@link #START} is before every event. Positions only grow: a reader that has seen one
 * never later finds a newly committed event below it.
 */
public record FeedPosition(long tx, long id) implements Comparable<FeedPosition> {

  public static final FeedPosition START = new FeedPosition(0, 0);

  private static final Pattern TEXT = Pattern.compile("(0|[1-9][0-9]{0,18}):(0|[1-9][0-9]{0,18})");
  private static final Comparator<FeedPosition> ORDER =
      Comparator.comparingLong(FeedPosition::tx).thenComparingLong(FeedPosition::id);

  public FeedPosition {
    if (tx < 0 || id < 0) {
      throw new InvalidRequest("a feed position is two whole numbers of 0 or more, got " + tx + ":" + id);
    }
  }

  /** @throws InvalidRequest naming {@code field} when {@code text} is not {@code tx:id} */
  public static FeedPosition parse(String field, String text) {
    Matcher matcher = TEXT.matcher(text);
    if (!matcher.matches()) {
      throw new InvalidRequest(field + " is not a feed position (\"tx:id\", e.g. \"0:0\"): \"" + Text.shown(text) + "\"");
    }
    try {
      return new FeedPosition(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)));
    } catch (NumberFormatException e) {
      throw new InvalidRequest(field + " is out of range: \"" + text + "\"");
    }
  }

  @Override
  public int compareTo(FeedPosition other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return tx + ":" + id;
  }
}
