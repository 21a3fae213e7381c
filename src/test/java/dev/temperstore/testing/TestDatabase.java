package dev.temperstore.testing;

import dev.temperstore.postgres.DatabaseTarget;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A fresh database of its own for one test, owned by a fresh non-superuser role; dropped with its roles on close.
 */
public final class TestDatabase implements AutoCloseable {

  /** Every test role logs in with this password; servers with trust authentication ignore it. */
  public static final String PASSWORD = "test-password-1";

  private final Vertx vertx;
  private final PostgresServer server;
  private final String name;
  private final String owner;
  private final List<String> roles = new ArrayList<>();
  private final Sql admin;

  private TestDatabase(Vertx vertx, PostgresServer server, String name, String owner) {
    this.vertx = vertx;
    this.server = server;
    this.name = name;
    this.owner = owner;
    this.admin = new Sql(vertx, server.superuser(name));
  }

  /** A new database owned by a new {@code LOGIN NOSUPERUSER} role. */
  public static TestDatabase create(Vertx vertx) {
    PostgresServer server = PostgresServer.get();
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String name = "temper_test_" + suffix;
    String owner = "temper_owner_" + suffix;
    try (Sql postgres = new Sql(vertx, server.superuser("postgres"))) {
      postgres.execute("CREATE ROLE " + owner + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '" + PASSWORD + "'");
      postgres.execute("CREATE DATABASE " + name + " OWNER " + owner);
    }
    TestDatabase database = new TestDatabase(vertx, server, name, owner);
    database.roles.add(owner);
    return database;
  }

  public String name() {
    return name;
  }

  public String owner() {
    return owner;
  }

  /** Connects as the owning role. */
  public DatabaseTarget asOwner() {
    return as(owner);
  }

  public DatabaseTarget as(String role) {
    return server.target(name, role, PASSWORD);
  }

  public DatabaseTarget asSuperuser() {
    return server.superuser(name);
  }

  /** SQL on this database as {@code role}; the caller closes it. */
  public Sql sqlAs(String role) {
    return new Sql(vertx, as(role));
  }

  /** Superuser SQL on this database. */
  public Sql admin() {
    return admin;
  }

  /** Creates a role that is dropped with the database, e.g. {@code createRole("LOGIN NOBYPASSRLS")}. */
  public String createRole(String attributes) {
    String role = "temper_role_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin.execute("CREATE ROLE " + role + " " + attributes + " PASSWORD '" + PASSWORD + "'");
    roles.add(role);
    return role;
  }

  @Override
  public void close() {
    admin.close();
    try (Sql postgres = new Sql(vertx, server.superuser("postgres"))) {
      postgres.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      for (String role : roles) {
        postgres.execute("DROP ROLE IF EXISTS " + role);
      }
    }
  }
}
