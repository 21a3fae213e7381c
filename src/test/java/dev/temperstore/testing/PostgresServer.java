package dev.temperstore.testing;

import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.postgres.DatabaseUrl;
import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The one PostgreSQL server of a test JVM, chosen once:
 * <ol>
 *   <li>a Testcontainers container when a Docker engine answers (image: {@code -Dtemper.test.image},
 *       default {@code postgres:16-alpine});</li>
 *   <li>else the server named by {@code TEMPER_TEST_DATABASE_URL} (a superuser URL, e.g.
 *       {@code postgres://postgres@127.0.0.1:5432/postgres});</li>
 *   <li>else an embedded PostgreSQL 17 (zonky), started in a temporary folder.</li>
 * </ol>
 * Tests never share data: each creates its own database ({@link TestDatabase}).
 */
public final class PostgresServer {

  public static final String URL_VARIABLE = "TEMPER_TEST_DATABASE_URL";

  private static PostgresServer instance;

  private final PgConnectOptions superuser;
  private final String origin;

  private PostgresServer(PgConnectOptions superuser, String origin) {
    this.superuser = superuser;
    this.origin = origin;
  }

  public static synchronized PostgresServer get() {
    if (instance == null) {
      instance = start();
      System.out.println("tests run against " + instance.origin + " at " + DatabaseUrl.describe(instance.superuser));
    }
    return instance;
  }

  private static PostgresServer start() {
    if (dockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer(System.getProperty("temper.test.image", "postgres:16-alpine"))
          .withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=300");
      container.start();
      PgConnectOptions options = new PgConnectOptions()
          .setHost(container.getHost())
          .setPort(container.getMappedPort(5432))
          .setUser(container.getUsername())
          .setPassword(container.getPassword())
          .setDatabase(container.getDatabaseName());
      return new PostgresServer(options, "a Testcontainers PostgreSQL");
    }
    String url = System.getenv(URL_VARIABLE);
    if (url != null && !url.isBlank()) {
      return new PostgresServer(DatabaseUrl.parse(url), "the server in " + URL_VARIABLE);
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder()
          .setServerConfig("fsync", "off")
          .setServerConfig("max_connections", "300")
          .setPGStartupWait(Duration.ofSeconds(60))
          .start();
      PgConnectOptions options = new PgConnectOptions()
          .setHost("localhost")
          .setPort(embedded.getPort())
          .setUser("postgres")
          .setDatabase("postgres");
      return new PostgresServer(options, "an embedded PostgreSQL");
    } catch (IOException e) {
      throw new UncheckedIOException("no Docker, no " + URL_VARIABLE + ", and the embedded PostgreSQL failed", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Connect options for {@code user} (password {@code password}) on {@code database} of this server. */
  public DatabaseTarget target(String database, String user, String password) {
    PgConnectOptions options = new PgConnectOptions(superuser).setDatabase(database).setUser(user)
        .setPassword(password);
    return new DatabaseTarget(options, Duration.ofSeconds(10));
  }

  /** The superuser on {@code database}. */
  public DatabaseTarget superuser(String database) {
    return new DatabaseTarget(new PgConnectOptions(superuser).setDatabase(database), Duration.ofSeconds(10));
  }

  /** A {@code postgres://} URL for another process; includes the password when there is one. */
  public static String url(DatabaseTarget target) {
    PgConnectOptions o = target.options();
    String password = o.getPassword() == null || o.getPassword().isEmpty() ? "" : ":" + o.getPassword();
    return "postgres://" + o.getUser() + password + "@" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }
}
