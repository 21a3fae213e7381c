package dev.temperstore.service.ops;

import dev.temperstore.internal.reactive.Reactive;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The operator's port: {@code GET /health/live} (the process answers), {@code GET /health/ready} (migrated and
 * the database reachable; 503 otherwise) and {@code GET /metrics} (Prometheus text). Nothing else is served.
 */
public final class OpsServer {

  private final Readiness readiness;
  private final PrometheusMeterRegistry registry;

  public OpsServer(Readiness readiness, PrometheusMeterRegistry registry) {
    this.readiness = readiness;
    this.registry = registry;
  }

  public Future<HttpServer> listen(Vertx vertx, String host, int port) {
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, host);
  }

  private void handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET) {
      request.response().setStatusCode(405).putHeader("Allow", "GET").end();
      return;
    }
    switch (request.path()) {
      case "/health/live" -> json(request, 200, new JsonObject().put("status", "UP"));
      // answered on the request's own context: the check ends on the pool's loop, or on a timer thread at its timeout
      case "/health/ready" -> Reactive.future(readiness.check(), Vertx.currentContext()).onComplete(
          status -> json(request, "UP".equals(status.getString("status")) ? 200 : 503, status),
          failure -> json(request, 503, new JsonObject().put("status", "DOWN").put("error", failure.getMessage())));
      case "/metrics" -> request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
          .end(registry.scrape());
      default -> request.response().setStatusCode(404).end();
    }
  }

  private static void json(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
