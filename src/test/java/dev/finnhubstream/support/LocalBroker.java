package dev.finnhubstream.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Kills and starts the tests' broker, to cause real outages: the container's through Docker when Testcontainers
 * runs it, else the one {@code ci/kafka.sh} runs (its port from {@code KAFKA_PORT}, else from
 * {@link KafkaTestSupport#bootstrap()}; the controller port and the data directory from the environment
 * {@code ci/test.sh} passes down).
 */
public final class LocalBroker {

  private LocalBroker() {
  }

  /** {@code kill -9}: connections drop without a goodbye, nothing is flushed by the broker. */
  public static void kill9() {
    if (TestServices.kafkaInContainer()) {
      TestServices.killKafkaContainer();
    } else {
      run("kill9");
    }
  }

  /** Starts the broker on the same data directory and waits until it answers. */
  public static void start() {
    if (TestServices.kafkaInContainer()) {
      TestServices.startKafkaContainer();
    } else {
      run("start");
    }
  }

  private static void run(String command) {
    try {
      Path log = Files.createTempFile("kafka-" + command, ".log");
      ProcessBuilder pb = new ProcessBuilder("bash", "ci/kafka.sh", command).redirectErrorStream(true).redirectOutput(log.toFile());
      if (System.getenv("KAFKA_PORT") == null) {
        String bootstrap = KafkaTestSupport.bootstrap();
        pb.environment().put("KAFKA_PORT", bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
      }
      Process p = pb.start();
      if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new AssertionError("ci/kafka.sh " + command + " failed:\n" + Files.readString(log));
      }
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new AssertionError("cannot run ci/kafka.sh " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running ci/kafka.sh " + command, e);
    }
  }
}
