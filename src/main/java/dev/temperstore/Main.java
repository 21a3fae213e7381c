package dev.temperstore;

import dev.temperstore.bench.LoadCommand;
import dev.temperstore.cli.IssueTokenCommand;
import dev.temperstore.cli.MigrateCommand;
import dev.temperstore.cli.RotateSecretsCommand;
import dev.temperstore.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry of the fat jar: {@code serve} (the default), {@code migrate}, {@code bench}, {@code issue-token}… */
@Command(name = "temper-store",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Reactive PostgreSQL event, snapshot and secret store for Vert.x.",
        "Without a command, runs 'serve'. With no database configured, both commands use an embedded "
            + "PostgreSQL whose data is kept in temper.embedded.data-dir."},
    subcommands = {ServeCommand.class, MigrateCommand.class, RotateSecretsCommand.class, LoadCommand.class,
        IssueTokenCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    String[] command = args.length == 0 ? new String[] {"serve"} : args;
    System.exit(new CommandLine(new Main()).execute(command));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"temper-store " + (version == null ? "(development build)" : version)};
    }
  }
}
