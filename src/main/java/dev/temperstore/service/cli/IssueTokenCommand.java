package dev.temperstore.service.cli;

import dev.temperstore.service.bridge.BridgeAuth;
import dev.temperstore.service.bridge.BridgeSettings;
import dev.temperstore.service.bridge.Permission;
import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.internal.config.DurationConverter;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** Prints a bridge token signed with temper.bridge.auth.jwt-secret: how a deployment issues credentials. */
@Command(name = "issue-token", mixinStandardHelpOptions = true,
    description = {
        "Print a JWT for bridge clients, signed (HS256) with temper.bridge.auth.jwt-secret and carrying "
            + "temper.bridge.auth.issuer/audience when set.",
        "Example: issue-token --subject billing --tenant acme --permissions read,write --ttl 720h",
        "Exit codes: 0 printed, 2 bad options or no secret configured."})
public final class IssueTokenCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Option(names = "--subject", required = true, description = "Who the token is for (its sub claim), e.g. a service")
  String subject;

  @Option(names = "--tenant", required = true, split = ",",
      description = "Tenants it grants (repeat or comma-separate); '*' for every tenant")
  List<String> tenants;

  @Option(names = "--permissions", required = true, split = ",",
      description = "Among read, write, secrets (secret values: with read for get, with write for put), subscribe,"
          + " delete (streams.truncate, .delete, .tombstone), retention (retention.set, .clear),"
          + " operator (with read and --tenant '*': events.read-all across all tenants)")
  List<String> permissions;

  @Option(names = "--ttl", defaultValue = "1h", description = "How long it is valid (default ${DEFAULT-VALUE})")
  String ttl;

  @Override
  public Integer call() {
    Optional<ServiceConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return ConfigOption.BAD_CONFIG;
    }
    ServiceConfig.Bridge.Auth auth = loaded.get().bridge().auth();
    if (auth.jwtSecret().isEmpty()) {
      System.err.println("issue-token: temper.bridge.auth.jwt-secret is not set: there is no key to sign with");
      return ConfigOption.BAD_CONFIG;
    }
    Set<Permission> granted = EnumSet.noneOf(Permission.class);
    for (String name : permissions) {
      Optional<Permission> permission = Permission.fromClaim(name.strip().toLowerCase(Locale.ROOT));
      if (permission.isEmpty()) {
        System.err.println("issue-token: unknown permission \"" + name + "\" (use read, write, secrets, subscribe,"
            + " delete, retention, operator)");
        return ConfigOption.BAD_CONFIG;
      }
      granted.add(permission.get());
    }
    Duration validFor;
    try {
      validFor = new DurationConverter().convert(ttl);
    } catch (IllegalArgumentException e) {
      System.err.println("issue-token: --ttl " + e.getMessage());
      return ConfigOption.BAD_CONFIG;
    }
    if (validFor == null || validFor.toSeconds() < 1 || validFor.toSeconds() > Integer.MAX_VALUE) {
      System.err.println("issue-token: --ttl must be between 1s and 68 years, got " + ttl);
      return ConfigOption.BAD_CONFIG;
    }
    if (validFor.compareTo(auth.maxTokenLifetime()) > 0) {
      System.err.println("issue-token: --ttl " + ttl + " is longer than temper.bridge.auth.max-token-lifetime ("
          + auth.maxTokenLifetime() + "): the bridge would refuse the token; ask for less or raise the setting");
      return ConfigOption.BAD_CONFIG;
    }
    Vertx vertx = Vertx.vertx();
    try {
      BridgeAuth signer = BridgeSettings.auth(vertx, auth).orElseThrow();
      System.out.println(signer.issue(subject, tenants.stream().map(String::strip).toList(), granted, validFor));
      return 0;
    } finally {
      vertx.close().await();
    }
  }
}
