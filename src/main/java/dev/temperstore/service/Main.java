package dev.temperstore.service;

import dev.temperstore.service.bench.LoadCommand;
import dev.temperstore.service.cli.GrantCommand;
import dev.temperstore.service.cli.IssueTokenCommand;
import dev.temperstore.service.cli.MigrateCommand;
import dev.temperstore.service.cli.PurgeTenantCommand;
import dev.temperstore.service.cli.RevokeTokenCommand;
import dev.temperstore.service.cli.RotateSecretsCommand;
import dev.temperstore.service.cli.ServeCommand;
import dev.temperstore.service.embedded.EmbeddedServer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry of the fat jar: {@code serve} (the default), and the commands listed below. */
@Command(name = "temper-store",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Reactive PostgreSQL event, snapshot and secret store for Vert.x.",
        "Without a command, runs 'serve'. A command that needs a database, with none configured, uses an "
            + "embedded PostgreSQL whose data is kept in temper.embedded.data-dir."},
    subcommands = {ServeCommand.class, MigrateCommand.class, GrantCommand.class, RotateSecretsCommand.class,
        PurgeTenantCommand.class, LoadCommand.class, IssueTokenCommand.class, RevokeTokenCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    String[] command = args.length == 0 ? new String[] {"serve"} : args;
    System.exit(new CommandLine(new Main()).setExecutionExceptionHandler(Main::startFailed).execute(command));
  }

  /** A start that fails for a reason the operator can fix is one line naming it, not a stack trace. */
  private static int startFailed(Exception failure, CommandLine command, CommandLine.ParseResult parsed)
      throws Exception {
    if (failure instanceof EmbeddedServer.EmbeddedServerFailed) {
      LoggerFactory.getLogger(Main.class).error("start failed: {}", failure.getMessage());
      return 1;
    }
    throw failure;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"temper-store " + (version == null ? "(development build)" : version)};
    }
  }
}
