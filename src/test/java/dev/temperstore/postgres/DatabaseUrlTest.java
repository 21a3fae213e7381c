package dev.temperstore.postgres;

import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseUrlTest {

  @Test
  void temper_style_urls_parse_into_every_part() {
    PgConnectOptions options = DatabaseUrl.parse("postgres://temper:pa%24%24@db.internal:6543/store");

    assertThat(options.getUser()).isEqualTo("temper");
    assertThat(options.getPassword()).isEqualTo("pa$$");
    assertThat(options.getHost()).isEqualTo("db.internal");
    assertThat(options.getPort()).isEqualTo(6543);
    assertThat(options.getDatabase()).isEqualTo("store");
  }

  @Test
  void non_ascii_characters_in_a_password_are_taken_as_they_are_written_as_libpq_takes_them() {
    assertThat(DatabaseUrl.parse("postgres://temper_owner:…@127.0.0.1/temper").getPassword()).isEqualTo("…");
    assertThat(DatabaseUrl.parse("postgres://temper:pässwort@db/store").getPassword()).isEqualTo("pässwort");
    assertThat(DatabaseUrl.parse("postgres://temper:p%C3%A4ss@db/store").getPassword()).isEqualTo("päss");
  }

  @Test
  void a_percent_encoded_at_sign_in_the_password_parses() {
    assertThat(DatabaseUrl.parse("postgres://temper:p%40ss@db/store").getPassword()).isEqualTo("p@ss");
  }

  /** Each password is distinctive, and so is each of its halves around any '@' or '/'. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "temper:Xyzzy42Secret@host/db | it has no postgres:// or postgresql:// scheme",
      "jdbc:postgresql://h/db?user=temper&password=Xyzzy42Secret | it is a JDBC URL; drop the jdbc: prefix",
      "postgres://temper:Xyzzy42@Plugh77@host/db | it has more than one '@'",
      "postgres://temper:Xyzzy42/Plugh77@host/db | its '@' comes after a '/'",
      "postgres://temper:Xyzzy42?Plugh77@host/db | it cannot be parsed",
      "postgres://temper:Xyzzy42Secret@host:notaport/db | it cannot be parsed",
      "postgres://temper:Xyzzy42Secret | it cannot be parsed",
      "postgres://temper:Xyzzy42%zzSecret@host/db | it cannot be parsed",
      "mysql://temper:Xyzzy42Secret@host/db | its scheme is not postgres:// or postgresql://",
  })
  void a_malformed_url_is_refused_naming_the_problem_without_any_of_its_password(String url, String problem) {
    assertThatThrownBy(() -> DatabaseUrl.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a PostgreSQL URL: " + problem)
        .hasMessageContaining("the value is not shown, as it may hold a password")
        .hasNoCause()
        .message().doesNotContain("Xyzzy42").doesNotContain("Secret").doesNotContain("Plugh77");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "postgres://temper:hunter2@db:5432/store | postgres://temper:***@db:5432/store",
      "postgres://temper@db:5432/store | postgres://temper@db:5432/store",
      "postgres://temper:p@ss@host/db | postgres://temper:***@host/db",
      "postgres://temper:pa/ss@host/db | postgres://temper:***@host/db",
      "temper:hunter2@host/db | temper:***@host/db",
      "jdbc:postgresql://h/db?user=temper&password=hunter2 | jdbc:postgresql://h/db?user=temper&password=***",
      "postgres://h/db?sslmode=require&PASSWORD=hunter2&x=1 | postgres://h/db?sslmode=require&PASSWORD=***&x=1",
      "postgres://temper:hunter2 | postgres://temper:***",
      "postgres://db:5432/store | postgres://db:5432/store",
  })
  void redaction_hides_anything_that_may_be_a_password_and_keeps_the_rest(String url, String redacted) {
    assertThat(DatabaseUrl.redact(url)).isEqualTo(redacted);
  }

  @Test
  void the_loggable_description_never_carries_the_password() {
    PgConnectOptions options = DatabaseUrl.parse("postgresql://temper:hunter2@db:5432/store");

    assertThat(DatabaseUrl.describe(options)).isEqualTo("postgres://temper@db:5432/store");
  }
}
