package dev.temperstore.service.cli;

import dev.temperstore.internal.lifecycle.PgTenantPurge;
import dev.temperstore.internal.wire.LifecycleJson;
import dev.temperstore.lifecycle.PurgeReceipt;
import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.tenancy.Tenants;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Removes every row of one tenant, online, printing each batch, then the receipt. */
@Command(name = "purge-tenant", mixinStandardHelpOptions = true,
    description = {
        "Remove every row of one tenant from every table that carries it (docs/protocol.md, \"tenants.purge\").",
        "It works in bounded batches while the store keeps serving, and is safe to stop and run again: it resumes "
            + "the interrupted purge with its counts. Revoke the tenant's credentials first: what the tenant writes "
            + "during the purge is removed too, what it writes after it starts the tenant afresh. It runs as the "
            + "serving role (temper.database.url), whose row-level security confines every statement to the tenant.",
        "Prints each batch to standard error and the receipt (JSON) to standard output.",
        "Exit codes: 0 when the check found none of the tenant's rows left, 1 when a step failed, 2 on bad "
            + "configuration or a tenant id the store would refuse."})
public final class PurgeTenantCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Option(names = "--tenant", required = true, description = "The tenant to purge, exactly as the store names it")
  String tenant;

  @Option(names = "--batch", defaultValue = "2000", description = "Rows per batch, 1 to 100000 (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--duty", defaultValue = "0.25",
      description = "The share of time to work, above 0 and at most 1: between batches it rests in proportion, so that "
          + "other tenants' requests keep their latency (default ${DEFAULT-VALUE}; 1 never rests)")
  double duty;

  @Override
  public Integer call() {
    Optional<ServiceConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return ConfigOption.BAD_CONFIG;
    }
    try {
      Tenants.validate(tenant);
    } catch (RuntimeException e) {
      System.err.println("purge-tenant: " + e.getMessage());
      return ConfigOption.BAD_CONFIG;
    }
    if (batch < 1 || batch > 100_000) {
      System.err.println("purge-tenant: --batch must be between 1 and 100000, got " + batch);
      return ConfigOption.BAD_CONFIG;
    }
    if (!(duty > 0 && duty <= 1)) {
      System.err.println("purge-tenant: --duty must be above 0 and at most 1, got " + duty);
      return ConfigOption.BAD_CONFIG;
    }
    PrintStream progress = System.err;
    Vertx vertx = Vertx.vertx();
    try (ChosenDatabase database = ChosenDatabase.resolve(loaded.get())) {
      return database.onServingPool(vertx, loaded.get(), 1, pool -> {
        progress.printf("purging tenant %s on %s%n", tenant, database.describe());
        PurgeReceipt receipt = new PgTenantPurge(vertx, pool, batch, duty)
            .purge(tenant, "purge-tenant command (" + System.getProperty("user.name") + ")",
                Duration.ofDays(365), step -> progress.println("  " + step))
            .await().indefinitely();
        System.out.println(LifecycleJson.receipt(receipt).encodePrettily());
        return receipt.finished() ? 0 : 1;
      });
    } catch (RuntimeException e) {
      progress.println("purge failed: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().await();
    }
  }
}
