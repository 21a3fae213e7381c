package dev.temperstore.service.cli;

import dev.temperstore.config.ConfigException;
import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.service.config.ServiceConfigLoader;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** The {@code --config} option every command shares, and the one-line report of a bad configuration. */
final class ConfigOption {

  /** Exit code for configuration that cannot work. */
  static final int BAD_CONFIG = 2;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file to read (default: conf/application.properties, if present). "
          + "Environment variables and -D system properties override it.")
  Path file;

  /** The validated configuration, or empty after printing the problem on one line. */
  Optional<ServiceConfig> load() {
    try {
      return Optional.of(ServiceConfigLoader.load(Optional.ofNullable(file)));
    } catch (ConfigException e) {
      System.err.println("configuration error: " + e.getMessage());
      return Optional.empty();
    }
  }
}
