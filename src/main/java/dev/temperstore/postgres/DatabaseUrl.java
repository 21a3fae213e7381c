package dev.temperstore.postgres;

import io.vertx.pgclient.PgConnectOptions;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses {@code postgres://} URLs into connect options, and shows them with the password hidden.
 *
 * <p>A URL that does not parse is never echoed, not even redacted: where its password starts and ends is exactly
 * what a malformed URL leaves unclear (an unencoded {@code @} or {@code /} in it, no scheme, JDBC's query form).
 * The error names what is wrong instead.
 */
public final class DatabaseUrl {

  /** Query parameters that carry a credential, in any case: {@code password=}, {@code sslpassword=}, ... */
  private static final Pattern SECRET_PARAMETER =
      Pattern.compile("(?i)((?:^|[?&;])[\\w.-]*(?:password|passwd|pwd|secret|token)[\\w.-]*=)[^&;#]*");
  /** {@code host:port} where the port is not a number: perhaps {@code user:password} without its {@code @}. */
  private static final Pattern NON_NUMERIC_PORT = Pattern.compile(":(?!\\d*(?:[/?#]|$))[^/?#]*");

  private static final String EXPECTED = "expected postgres://user:password@host:port/database, special characters"
      + " in user and password percent-encoded (@ as %40, / as %2F, : as %3A); the value is not shown, as it may"
      + " hold a password";

  private DatabaseUrl() {
  }

  /** @throws IllegalArgumentException when the URL is not a PostgreSQL URL; the message never shows the URL */
  public static PgConnectOptions parse(String url) {
    String text = url.strip();
    String problem = problem(text);
    if (problem == null) {
      try {
        return PgConnectOptions.fromUri(encodeNonAscii(text));
      } catch (RuntimeException e) {
        // Vert.x's message repeats the whole URL, password included: only its fact that it failed is kept.
        problem = "it cannot be parsed (a port that is not a number, or a bad %-escape?)";
      }
    }
    throw new IllegalArgumentException("not a PostgreSQL URL: " + problem + " (" + EXPECTED + ")");
  }

  /**
   * Non-ASCII characters (a password such as {@code pässwort}) percent-encoded as UTF-8, as libpq takes them
   * unencoded; Vert.x's parser accepts only ASCII.
   */
  private static String encodeNonAscii(String url) {
    StringBuilder out = new StringBuilder(url.length());
    url.codePoints().forEach(codePoint -> {
      if (codePoint < 0x80) {
        out.append((char) codePoint);
      } else {
        for (byte b : new String(Character.toChars(codePoint)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
          out.append('%').append(String.format("%02X", b & 0xFF));
        }
      }
    });
    return out.toString();
  }

  /** What makes {@code url} unusable, said without repeating any of it; null when it looks well-formed. */
  private static String problem(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:")) {
      return "it is a JDBC URL; drop the jdbc: prefix";
    }
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return "it has no postgres:// or postgresql:// scheme";
    }
    if (!lower.startsWith("postgres://") && !lower.startsWith("postgresql://")) {
      return "its scheme is not postgres:// or postgresql://";
    }
    int query = url.indexOf('?', scheme + 3);
    String beforeQuery = query < 0 ? url : url.substring(0, query);
    int at = beforeQuery.indexOf('@');
    if (at >= 0 && beforeQuery.indexOf('@', at + 1) >= 0) {
      return "it has more than one '@' (an unencoded '@' in the user name or password?)";
    }
    int slash = url.indexOf('/', scheme + 3);
    if (at >= 0 && slash >= 0 && slash < at) {
      return "its '@' comes after a '/' (an unencoded '/' in the user name or password?)";
    }
    return null;
  }

  /**
   * The URL with anything that may be a password replaced by {@code ***}, fit for logs: the password of the user
   * info (everything from the first ':' to the last '@', so an unencoded '@' does not leak the rest), credential
   * query parameters, and, without an '@', a non-numeric "port" that may be a password missing its '@'.
   */
  public static String redact(String url) {
    String redacted = SECRET_PARAMETER.matcher(url).replaceAll("$1***");
    int scheme = redacted.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int at = redacted.lastIndexOf('@');
    if (at >= start) {
      int colon = redacted.indexOf(':', start);
      if (colon >= 0 && colon < at) {
        return redacted.substring(0, colon + 1) + "***" + redacted.substring(at);
      }
      return redacted;
    }
    int end = firstOf(redacted, start, "/?#");
    String authority = redacted.substring(start, end);
    return redacted.substring(0, start) + NON_NUMERIC_PORT.matcher(authority).replaceAll(":***")
        + redacted.substring(end);
  }

  /** A loggable description of where {@code options} connect; never includes the password. */
  public static String describe(PgConnectOptions options) {
    return "postgres://" + options.getUser() + "@" + options.getHost() + ":" + options.getPort() + "/"
        + options.getDatabase();
  }

  private static int firstOf(String text, int from, String characters) {
    for (int i = from; i < text.length(); i++) {
      if (characters.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return text.length();
  }
}
