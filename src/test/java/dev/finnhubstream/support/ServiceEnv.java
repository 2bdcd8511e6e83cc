package dev.finnhubstream.support;

import dev.finnhubstream.emulator.FinnhubEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** The environment that points the service at an in-process emulator and the test broker. */
public final class ServiceEnv {

  private ServiceEnv() {
  }

  /**
   * A mutable map: FINNHUB_URL and FINNHUB_TOKEN for the emulator, the broker, {@code topic}, a free HTTP port
   * and a fresh outage-buffer directory.
   */
  public static Map<String, String> forEmulator(FinnhubEmulator emulator, String token, String topic) {
    return new HashMap<>(Map.of(
      "FINNHUB_URL", "ws://127.0.0.1:" + emulator.actualPort(),
      "FINNHUB_TOKEN", token,
      "KAFKA_BOOTSTRAP_SERVERS", KafkaTestSupport.bootstrap(),
      "KAFKA_TOPIC", topic,
      "KAFKA_GAP_TOPIC", KafkaTestSupport.gapTopicOf(topic),
      "KAFKA_DISK_BUFFER_DIR", freshBufferDir(),
      "HTTP_PORT", "0"));
  }

  /**
   * A new empty directory for {@code kafka.disk_buffer_dir}. Each service a test starts needs its own: the
   * buffer replays what it holds into the topic configured at the next start, so a shared directory would
   * carry one test's leftover records into another test's topic.
   */
  public static String freshBufferDir() {
    try {
      return Files.createTempDirectory("finnhub-stream-buffer-").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
