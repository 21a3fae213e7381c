package dev.temperstore.service.cli;

import dev.temperstore.errors.StoreException;
import dev.temperstore.service.bridge.Revocation;
import dev.temperstore.service.bridge.TokenRevocations;
import dev.temperstore.service.config.ServiceConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Revokes one bridge token, or every token of a subject issued before a time, on every bridge of the database. */
@Command(name = "revoke-token", mixinStandardHelpOptions = true,
    description = {
        "Revoke a bridge token by its jti (issue-token sets one), or every token issued to a subject before a time "
            + "(default: now). Every bridge on the database refuses it at once (it hears the revocation's "
            + "notification), at the latest after temper.bridge.auth.revocation-refresh, also on connections that "
            + "already verified it and on the delivery addresses it registered (docs/security.md, \"Revoking a "
            + "token\"). The revocation is kept until every token it names would have expired "
            + "(temper.bridge.auth.max-token-lifetime).",
        "Example: revoke-token --subject billing --reason \"key leaked in a log\"",
        "Prints the revocation (JSON). Exit codes: 0 revoked (or already), 1 the database failed, 2 bad options."})
public final class RevokeTokenCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @ArgGroup(multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--jti", required = true, description = "The token's jti claim: revokes that one token")
    String jti;

    @Option(names = "--subject", required = true, description = "The tokens' sub claim: revokes every token issued to"
        + " it before --issued-before")
    String subject;
  }

  @Option(names = "--issued-before", description = "With --subject: an ISO-8601 instant, not in the future"
      + " (default: now)")
  String issuedBefore;

  @Option(names = "--reason", description = "Why, for the audit (at most 256 characters)")
  String reason;

  @Override
  public Integer call() {
    Optional<ServiceConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return ConfigOption.BAD_CONFIG;
    }
    ServiceConfig.Bridge.Auth auth = loaded.get().bridge().auth();
    Revocation revocation;
    try {
      Optional<Instant> before = Optional.ofNullable(issuedBefore).map(Instant::parse);
      revocation = Revocation.of(Optional.ofNullable(target.jti), Optional.ofNullable(target.subject), before,
          Optional.ofNullable(reason), Instant.now(), auth.maxTokenLifetime());
    } catch (DateTimeParseException e) {
      System.err.println("revoke-token: --issued-before is not an ISO-8601 instant (e.g. 2026-12-07T10:00:00Z)");
      return ConfigOption.BAD_CONFIG;
    } catch (StoreException e) {
      System.err.println("revoke-token: " + e.getMessage());
      return ConfigOption.BAD_CONFIG;
    }
    Vertx vertx = Vertx.vertx();
    try (ChosenDatabase database = ChosenDatabase.resolve(loaded.get())) {
      TokenRevocations.Outcome outcome = database.onServingPool(vertx, loaded.get(), 1, pool ->
          new TokenRevocations(vertx, pool, database.serving(), auth.revocationRefresh(), auth.maxTokenLifetime())
              .revoke(revocation, "revoke-token command (" + System.getProperty("user.name") + ")").await());
      System.out.println(new JsonObject().put("revocationId", outcome.id()).put("revoked", outcome.revoked())
          .put("revokes", revocation.describe()).put("expiresAt", outcome.expiresAt().toString()).encodePrettily());
      return 0;
    } catch (RuntimeException e) {
      System.err.println("revoke-token failed: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().await();
    }
  }
}
