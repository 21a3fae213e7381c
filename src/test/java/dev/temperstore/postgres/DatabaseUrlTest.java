package dev.temperstore.postgres;

import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
  void redaction_hides_the_password_and_keeps_everything_else() {
    assertThat(DatabaseUrl.redact("postgres://temper:hunter2@db:5432/store"))
        .isEqualTo("postgres://temper:***@db:5432/store");
    assertThat(DatabaseUrl.redact("postgres://temper@db:5432/store")).isEqualTo("postgres://temper@db:5432/store");
  }

  @Test
  void the_loggable_description_never_carries_the_password() {
    PgConnectOptions options = DatabaseUrl.parse("postgresql://temper:hunter2@db:5432/store");

    assertThat(DatabaseUrl.describe(options)).isEqualTo("postgres://temper@db:5432/store");
  }
}
