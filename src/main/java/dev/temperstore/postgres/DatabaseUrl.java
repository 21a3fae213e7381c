package dev.temperstore.postgres;

import io.vertx.pgclient.PgConnectOptions;

import java.util.regex.Pattern;

/** Parses {@code postgres://} URLs into connect options, and shows them with the password hidden. */
public final class DatabaseUrl {

  private static final Pattern PASSWORD = Pattern.compile("(://[^:/@]*:)[^@]*@");

  private DatabaseUrl() {
  }

  /** @throws IllegalArgumentException when the URL is not a PostgreSQL URL; the message never shows the password */
  public static PgConnectOptions parse(String url) {
    try {
      return PgConnectOptions.fromUri(url.strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a PostgreSQL URL (expected postgres://user:password@host:port/database,"
          + " special characters percent-encoded): " + redact(url));
    }
  }

  /** The URL with its password replaced by {@code ***}, fit for logs. */
  public static String redact(String url) {
    return PASSWORD.matcher(url).replaceFirst("$1***@");
  }

  /** A loggable description of where {@code options} connect; never includes the password. */
  public static String describe(PgConnectOptions options) {
    return "postgres://" + options.getUser() + "@" + options.getHost() + ":" + options.getPort() + "/"
        + options.getDatabase();
  }
}
