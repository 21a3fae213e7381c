package dev.temperstore.service.bridge;

import dev.temperstore.client.BridgeClient;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.Forbidden;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.FeedHorizon;
import dev.temperstore.testing.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reads across tenants through the bridge: only for a token with the operator permission over every tenant. */
class TcpBridgeOperatorTest extends DatabaseTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long";
  private static final String READ_ALL = "temper.store.events.read-all";
  private static final JsonObject ACROSS_TENANTS = new JsonObject().put("allTenants", true);

  private BridgeAuth auth;
  private NetServer bridge;
  private int port;
  private final ListAppender<ILoggingEvent> audit = new ListAppender<>();

  @BeforeEach
  void storeWithAnOperatorRoleAndAnAuthenticatedBridge() {
    StoreSettings settings = StoreSettings.defaults(database.asOwner()).withOperator(database.asOwner());
    vertx.deployVerticle(new StoreVerticle(settings)).await();
    StoreClient store = StoreClient.create(vertx);
    store.append(PersistenceId.parse("acme:Order:o-1"), 0, events(1)).await().atMost(Duration.ofSeconds(10));
    store.append(PersistenceId.parse("globex:Order:o-1"), 0, events(1)).await().atMost(Duration.ofSeconds(10));
    FeedHorizon.awaitPastEveryEvent(database);
    auth = BridgeAuth.create(vertx, Optional.of(SECRET), Optional.empty(), "RS256", Optional.empty(), Optional.empty(),
        Duration.ofDays(30));
    port = Ports.free();
    bridge = TcpBridge.listen(vertx, Addresses.defaults(), BridgeOptions.loopback(port).withAuth(auth)).await();
    audit.start();
    // the reads' audit only: the tokens' own lines (issue, revocation) go to its child dev.temperstore.audit.tokens
    audit.addFilter(new ch.qos.logback.core.filter.Filter<>() {
      @Override
      public ch.qos.logback.core.spi.FilterReply decide(ILoggingEvent event) {
        return event.getLoggerName().equals("dev.temperstore.audit") ? ch.qos.logback.core.spi.FilterReply.NEUTRAL
            : ch.qos.logback.core.spi.FilterReply.DENY;
      }
    });
    ((Logger) LoggerFactory.getLogger("dev.temperstore.audit")).addAppender(audit);
  }

  @AfterEach
  void closeBridge() {
    ((Logger) LoggerFactory.getLogger("dev.temperstore.audit")).detachAppender(audit);
    bridge.close().await();
  }

  @Test
  void a_token_without_the_operator_permission_gets_403_and_nothing_reaches_the_store() throws IOException {
    String reader = token("reader", List.of("*"), Permission.READ);
    String operatorOnly = token("ops", List.of("*"), Permission.OPERATOR);
    try (WireClient client = new WireClient(port)) {
      JsonObject withoutOperator = client.request(READ_ALL, ACROSS_TENANTS, reader);
      JsonObject withoutRead = client.request(READ_ALL, ACROSS_TENANTS, operatorOnly);
      JsonObject oneTenant = client.request(READ_ALL, new JsonObject().put("tenant", "acme"), reader);

      assertThat(withoutOperator.getInteger("failureCode")).isEqualTo(403);
      assertThat(withoutOperator.getString("message"))
          .isEqualTo("forbidden: token lacks the \"operator\" permission for " + READ_ALL + " across all tenants");
      assertThat(withoutRead.getString("message"))
          .isEqualTo("forbidden: token lacks the \"read\" permission for " + READ_ALL);
      assertThat(oneTenant.getJsonObject("body").getJsonArray("events")).hasSize(1); // a tenant's read still works
    }
    assertThat(audit.list).isEmpty();
  }

  @Test
  void an_operator_token_confined_to_some_tenants_gets_403() throws IOException {
    String confined = token("ops", List.of("acme", "globex"), Permission.READ, Permission.OPERATOR);
    try (WireClient client = new WireClient(port)) {
      JsonObject reply = client.request(READ_ALL, ACROSS_TENANTS, confined);

      assertThat(reply.getInteger("failureCode")).isEqualTo(403);
      assertThat(reply.getString("message")).isEqualTo("forbidden: token does not grant every tenant"
          + " (\"tenants\": \"*\"), which temper.store.events.read-all across all tenants touches");
    }
    assertThat(audit.list).isEmpty();
  }

  @Test
  void an_operator_token_over_every_tenant_reads_them_all_and_the_audit_names_its_subject() throws IOException {
    String operator = token("ops-console", List.of("*"), Permission.READ, Permission.OPERATOR);
    try (WireClient client = new WireClient(port)) {
      JsonObject reply = client.request(READ_ALL, ACROSS_TENANTS, operator);

      JsonArray events = reply.getJsonObject("body").getJsonArray("events");
      assertThat(events.stream().map(e -> ((JsonObject) e).getString("tenant"))).containsExactly("acme", "globex");
    }
    assertThat(audit.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
        .matches("all-tenant feed read by bridge client 127\\.0\\.0\\.1:\\d+, token subject \"ops-console\""
            + " \\(after 0:0, limit 100\\): 2 events of 2 tenants, next \\d+:\\d+");
  }

  @Test
  void the_typed_client_reports_the_refusal_as_forbidden() {
    String reader = token("reader", List.of("*"), Permission.READ);
    BridgeClient.Options options = BridgeClient.Options.of(Duration.ofSeconds(10)).withBearerToken(reader);
    try (BridgeClient connection = BridgeClient.connect(vertx, "127.0.0.1", port, options)
        .await().atMost(Duration.ofSeconds(10))) {
      StoreClient client = new StoreClient(connection, Addresses.defaults());

      assertThatThrownBy(() -> client.readAllTenants(FeedPosition.START, FeedFilter.ALL, 10)
          .await().atMost(Duration.ofSeconds(10)))
          .isInstanceOf(Forbidden.class)
          .hasMessage("forbidden: token lacks the \"operator\" permission for " + READ_ALL + " across all tenants");
    }
  }

  private String token(String subject, List<String> tenants, Permission... permissions) {
    return auth.issue(subject, tenants, Set.of(permissions), Duration.ofMinutes(5));
  }
}
