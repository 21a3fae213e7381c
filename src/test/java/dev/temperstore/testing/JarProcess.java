package dev.temperstore.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The fat jar ({@code -Dtemper.jar}, set by failsafe) run as users run it: {@code java -jar temper-store.jar ...}
 * in a process of its own, with stdout and stderr captured line by line; or, for tests that need several
 * processes of their own making, a main class of the test class path run the same way.
 */
public final class JarProcess implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  private JarProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::readOutput, "jar-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the jar with exactly {@code env} as temper-related environment (none is inherited). */
  public static JarProcess start(Path workDir, Map<String, String> env, String... args) {
    return start(workDir, env, List.of(), args);
  }

  /** As {@link #start(Path, Map, String...)}, with {@code jvmArgs} (such as {@code -Dkey=value}) before -jar. */
  public static JarProcess start(Path workDir, Map<String, String> env, List<String> jvmArgs, String... args) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar()));
    command.addAll(List.of(args));
    return run(workDir, env, command);
  }

  /** Runs {@code main} of this JVM's class path in a JVM of its own, with no temper-related environment. */
  public static JarProcess startMain(Path workDir, Class<?> main, String... args) {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"),
        main.getName()));
    command.addAll(List.of(args));
    return run(workDir, Map.of(), command);
  }

  private static JarProcess run(Path workDir, Map<String, String> env, List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("TEMPER_") || key.equals("DATABASE_URL"));
    builder.environment().putAll(env);
    try {
      return new JarProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String jar() {
    String jar = System.getProperty("temper.jar");
    if (jar == null) {
      throw new IllegalStateException("-Dtemper.jar is not set: run the *IT tests with 'mvn verify'");
    }
    return jar;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Waits for the process to end and returns its exit code. */
  public int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("still running after " + timeout + "; output so far:\n" + output());
    }
    try {
      reader.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return process.exitValue();
  }

  /** The lines printed so far that match {@code condition}. */
  public List<String> lines(Predicate<String> condition) {
    synchronized (lines) {
      return lines.stream().filter(condition).toList();
    }
  }

  /** Waits until a line matching {@code condition} has been printed. */
  public String awaitLine(Predicate<String> condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        for (String line : lines) {
          if (condition.test(line)) {
            return line;
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
          throw new AssertionError("no such line within " + timeout + "; output:\n" + output());
        }
        lines.wait(Math.min(left, 200));
      }
    }
  }

  /**
   * Sends SIGTERM, as Kubernetes does. Through the process handle: {@link Process#destroy()} would also close
   * our end of the output pipe, losing what the process prints while it shuts down.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Sends SIGKILL, as a crash or the OOM killer would: no shutdown hook runs. Waits until the process is gone. */
  public void kill() {
    process.toHandle().destroyForcibly();
    process.toHandle().onExit().join();
  }

  public String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended; what it printed is kept
    } finally {
      synchronized (lines) {
        lines.notifyAll();
      }
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
