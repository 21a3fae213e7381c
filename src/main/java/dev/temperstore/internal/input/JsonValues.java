package dev.temperstore.internal.input;

import dev.temperstore.errors.InvalidRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a JSON document the store keeps (an event's payload) may hold, so that PostgreSQL stores it as sent and a
 * read gives back the same value: strings and object keys as {@link Text} requires; numbers that are finite and
 * come back unchanged (a double that is not a finite number, a decimal that a double cannot hold exactly, an
 * integer of more than 1000 digits are refused rather than stored as another value); nesting at most
 * {@value #MAX_DEPTH} deep. Every violation is a 400 naming the value by its path, e.g.
 * {@code events[0].payload.items[3].name}. A document is walked without paths first, and again with them only once
 * it has been refused, for the message: a document that passes costs no path at all (building every value's path
 * was most of what the append gate allocated).
 */
public final class JsonValues {

  /** Deeper documents are refused: far beyond any real event, and recursion everywhere they go. */
  public static final int MAX_DEPTH = 100;
  /** Longer integers are refused; within it PostgreSQL's numeric and the JSON codecs keep every digit. */
  public static final int MAX_INTEGER_DIGITS = 1000;
  private static final int MAX_INTEGER_BITS = 3321; // about 1000 decimal digits; checked exactly beyond

  private JsonValues() {
  }

  /** @throws InvalidRequest naming the first value under {@code path} that the store cannot keep as sent */
  public static void check(String path, Object value) {
    check(() -> path, value);
  }

  /** As {@link #check(String, Object)}, the path asked of {@code path} only when a value is refused. */
  public static void check(Supplier<String> path, Object value) {
    try {
      check(null, value, 0);
    } catch (Unplaced refused) {
      check(new Path(null, path, null, -1), value, 0);
      throw new IllegalStateException("a value refused without its path passed with it, under " + path.get());
    }
  }

  /**
   * The violation at {@code path}; with no path (the first walk), the one exception that sends the walk back to name
   * the value.
   */
  private static RuntimeException refused(Path path, String reason) {
    return path == null ? Unplaced.INSTANCE : new InvalidRequest(path + " " + reason);
  }

  /** A violation found on the walk without paths: no message, no stack trace, one instance. */
  private static final class Unplaced extends RuntimeException {
    static final Unplaced INSTANCE = new Unplaced();

    private Unplaced() {
      super(null, null, false, false);
    }
  }

  private static void check(Path path, Object value, int depth) {
    if (value == null || value instanceof Boolean) {
      return;
    }
    if (value instanceof CharSequence chars) { // a string, as Vert.x's copy of a message makes any CharSequence
      String problem = Text.problem(chars.toString());
      if (problem != null) {
        throw refused(path, problem);
      }
    } else if (value instanceof Number number) {
      checkNumber(path, number);
    } else if (value instanceof JsonObject object) {
      checkObject(path, object.getMap(), depth);
    } else if (value instanceof Map<?, ?> map) {
      checkObject(path, map, depth);
    } else if (value instanceof JsonArray array) {
      checkArray(path, array.getList(), depth);
    } else if (value instanceof List<?> list) {
      checkArray(path, list, depth);
    } else {
      throw refused(path, "must be JSON (an object, array, string, number, boolean or null), got a "
          + value.getClass().getSimpleName());
    }
  }

  private static void checkObject(Path path, Map<?, ?> map, int depth) {
    nest(path, depth);
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw refused(path, "has a key that is not a string");
      }
      String problem = Text.problem(key);
      if (problem != null) {
        throw refused(path, "has a key that " + problem + ": \"" + Text.shown(key) + "\"");
      }
      check(path == null ? null : new Path(path, null, key, -1), entry.getValue(), depth + 1);
    }
  }

  private static void checkArray(Path path, List<?> list, int depth) {
    nest(path, depth);
    for (int i = 0; i < list.size(); i++) {
      check(path == null ? null : new Path(path, null, null, i), list.get(i), depth + 1);
    }
  }

  private static void nest(Path path, int depth) {
    if (depth >= MAX_DEPTH) {
      throw refused(path, "is nested more than " + MAX_DEPTH + " levels deep");
    }
  }

  private static void checkNumber(Path path, Number number) {
    if (number instanceof Double || number instanceof Float) {
      if (!Double.isFinite(number.doubleValue())) {
        throw refused(path, "is not a finite number (" + number
            + "): JSON has no such value, and the store keeps only numbers it can give back unchanged");
      }
    } else if (number instanceof BigDecimal decimal) {
      // Reads give floating-point numbers back as doubles: accept only what a double holds exactly.
      double asDouble = decimal.doubleValue();
      if (!Double.isFinite(asDouble) || new BigDecimal(Double.toString(asDouble)).compareTo(decimal) != 0) {
        throw refused(path, "is a number that a 64-bit floating point cannot hold exactly ("
            + shownNumber(decimal.toString()) + "): send it as a string to keep every digit");
      }
    } else if (number instanceof BigInteger integer) {
      if (integer.bitLength() > MAX_INTEGER_BITS && integer.abs().toString().length() > MAX_INTEGER_DIGITS) {
        throw refused(path, "is an integer of more than " + MAX_INTEGER_DIGITS + " digits");
      }
    } else if (!(number instanceof Integer || number instanceof Long || number instanceof Short
        || number instanceof Byte)) {
      throw refused(path, "is a number of an unsupported kind: " + number.getClass().getSimpleName());
    }
  }

  private static String shownNumber(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }

  /** A value's place: the document's own ({@code root}), a key of its parent's object, or an index of its array. */
  private record Path(Path parent, Supplier<String> root, String key, int index) {
    @Override
    public String toString() {
      if (parent == null) {
        return root.get();
      }
      return parent + (key != null ? "." + Text.shown(key) : "[" + index + "]");
    }
  }
}
