package dev.temperstore.internal.postgres;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.Unavailable;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

class SqlErrorsTest {

  private static PgException pg(String sqlState, String message, String detail) {
    return new PgException(message, "ERROR", sqlState, detail);
  }

  @ParameterizedTest
  @ValueSource(strings = {"57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "53000", "53100", "53200",
      "53300", "40001", "40P01"})
  void outages_and_exhausted_resources_are_503_with_a_retry_hint(String sqlState) {
    StoreException error = SqlErrors.toStoreException("append to acme:Order:o-1", pg(sqlState, "going away", null));

    assertThat(error).isInstanceOf(Unavailable.class);
    assertThat(error.code()).isEqualTo(503);
    assertThat(error).hasMessage("database unavailable during append to acme:Order:o-1 (SQLSTATE " + sqlState
        + "): going away; retry later");
    assertThat(SqlErrors.isUnavailable(pg(sqlState, "x", null))).isTrue();
  }

  @Test
  void a_statement_timeout_stays_503() {
    StoreException error = SqlErrors.toStoreException("read of acme:Order:o-1",
        pg("57014", "canceling statement due to statement timeout", null));

    assertThat(error).isInstanceOf(Unavailable.class)
        .hasMessage("read of acme:Order:o-1 timed out in the database (SQLSTATE 57014):"
            + " canceling statement due to statement timeout; retry later");
  }

  @Test
  void a_data_exception_is_400_naming_the_operation_the_rule_and_the_detail() {
    StoreException error = SqlErrors.toStoreException("append to acme:Order:o-1",
        pg("22P05", "unsupported Unicode escape sequence", "\\u0000 cannot be converted to text."));

    assertThat(error).isInstanceOf(InvalidRequest.class);
    assertThat(error.code()).isEqualTo(400);
    assertThat(error).hasMessage("append to acme:Order:o-1 rejected by the database: unsupported Unicode escape"
        + " sequence (\\u0000 cannot be converted to text.) (SQLSTATE 22P05)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"22021", "22003", "23502", "23505", "23514", "54000"})
  void errors_the_request_caused_are_400(String sqlState) {
    assertThat(SqlErrors.toStoreException("save", pg(sqlState, "bad", null))).isInstanceOf(InvalidRequest.class)
        .hasMessage("save rejected by the database: bad (SQLSTATE " + sqlState + ")");
    assertThat(SqlErrors.isCausedByRequest(pg(sqlState, "bad", null))).isTrue();
  }

  @Test
  void a_constraint_violation_names_the_constraint_but_not_the_row_values_of_its_detail() {
    PgException violation = new PgException("duplicate key value violates unique constraint \"k\"", "ERROR",
        "23505", "Key (tenant)=(acme) already exists.", null, null, null, null, null, null, null, null, null, null,
        null, null, "k"); // the 17th argument is the constraint

    assertThat(SqlErrors.toStoreException("put", violation)).isInstanceOf(InvalidRequest.class)
        .hasMessage("put rejected by the database: duplicate key value violates unique constraint \"k\""
            + " (SQLSTATE 23505, constraint k)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"42501", "42883", "XX000", "P0001"})
  void other_database_errors_are_500_our_own_fault(String sqlState) {
    StoreException error = SqlErrors.toStoreException("read", pg(sqlState, "broken", null));

    assertThat(error).isInstanceOf(StorageFailure.class);
    assertThat(error.code()).isEqualTo(500);
    assertThat(SqlErrors.isUnavailable(pg(sqlState, "x", null))).isFalse();
    assertThat(SqlErrors.isCausedByRequest(pg(sqlState, "x", null))).isFalse();
  }

  @Test
  void no_answer_from_the_server_is_503() {
    assertThat(SqlErrors.toStoreException("read", new ConnectException("Connection refused")))
        .isInstanceOf(Unavailable.class)
        .hasMessage("database unavailable during read: Connection refused; retry later");
    assertThat(SqlErrors.toStoreException("read", ClosedConnectionException.INSTANCE))
        .isInstanceOf(Unavailable.class);
    assertThat(SqlErrors.toStoreException("read", new NoStackTraceTimeoutException("Timeout")))
        .isInstanceOf(Unavailable.class);
  }

  @Test
  void a_bug_of_ours_is_500_not_a_retry_hint() {
    StoreException error = SqlErrors.toStoreException("read", new NullPointerException("row"));

    assertThat(error).isInstanceOf(StorageFailure.class)
        .hasMessage("storage error: unexpected failure during read: java.lang.NullPointerException: row");
  }
}
