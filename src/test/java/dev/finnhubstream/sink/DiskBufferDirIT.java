package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.ServiceConfigs;
import dev.finnhubstream.support.ServiceProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk buffer directory belongs to one process: a second service pointed at it, or a path that cannot be
 * a directory, stops start-up with one line naming kafka.disk_buffer_dir, and never touches the first one's data.
 */
class DiskBufferDirIT {

  @TempDir
  Path tmp;

  @Test
  @DisplayName("a second service on the same disk buffer, or an unusable path, is refused with one line naming the key")
  void oneProcessPerDirectory() throws Exception {
    KafkaTestSupport.requireBroker();
    Path buffer = tmp.resolve("buffer");
    // Finnhub at the discard port: the service keeps reconnecting, which is all this test needs of it.
    Map<String, String> env = ServiceConfigs.env(9, "unused", "AAPL", KafkaTestSupport.uniqueTopic("it_dir"));
    env.remove("KAFKA_DISK_BUFFER_DIR"); // the key under test comes from the file here
    env.put("APP_CONFIG", ServiceConfigs.write(tmp, Map.of("disk_buffer_dir", buffer.toString())).toString());
    try (ServiceProcess first = ServiceProcess.start(tmp.resolve("first.log"), env)) {
      Process second = startRaw(tmp.resolve("second.log"), env);
      assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(tmp.resolve("second.log"));
      assertThat(second.exitValue()).as("second service's exit code; log:%n%s", log).isNotZero();
      assertThat(log).contains("kafka.disk_buffer_dir: cannot use " + buffer.toAbsolutePath()).contains("in use by another process")
        .contains("Fix: ");
      assertThat(first.sinkStatus().getString("mode")).as("the first service is unaffected").isEqualTo("DIRECT");
      assertThat(first.terminate(Duration.ofSeconds(60))).isZero();
    }

    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Map<String, String> bad = new java.util.HashMap<>(env);
    bad.put("APP_CONFIG", ServiceConfigs.write(Files.createDirectories(tmp.resolve("bad")), Map.of("disk_buffer_dir",
      file.resolve("buffer").toString())).toString());
    Process refused = startRaw(tmp.resolve("bad.log"), bad);
    assertThat(refused.waitFor(90, TimeUnit.SECONDS)).isTrue();
    String log = Files.readString(tmp.resolve("bad.log"));
    assertThat(refused.exitValue()).as("exit code; log:%n%s", log).isNotZero();
    assertThat(log).contains("kafka.disk_buffer_dir: cannot use").contains("Fix: ").doesNotContain("\tat dev.finnhubstream");
  }

  private static Process startRaw(Path log, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
      Path.of("target", "finnhub-stream-fat.jar").toString()).directory(new File(".")).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("FINNHUB_") || k.startsWith("KAFKA_") || k.startsWith("APP_") || k.equals("HTTP_PORT"));
    pb.environment().putAll(env);
    pb.environment().put("HTTP_PORT", "0");
    return pb.start();
  }
}
