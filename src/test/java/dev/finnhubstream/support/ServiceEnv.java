package dev.finnhubstream.support;

import dev.finnhubstream.emulator.FinnhubEmulator;
import java.util.HashMap;
import java.util.Map;

/** The environment that points the service at an in-process emulator and the test broker. */
public final class ServiceEnv {

  private ServiceEnv() {
  }

  /** A mutable map: FINNHUB_URL and FINNHUB_TOKEN for the emulator, the broker, {@code topic}, a free HTTP port. */
  public static Map<String, String> forEmulator(FinnhubEmulator emulator, String token, String topic) {
    return new HashMap<>(Map.of(
      "FINNHUB_URL", "ws://127.0.0.1:" + emulator.actualPort(),
      "FINNHUB_TOKEN", token,
      "KAFKA_BOOTSTRAP_SERVERS", KafkaTestSupport.bootstrap(),
      "KAFKA_TOPIC", topic,
      "HTTP_PORT", "0"));
  }
}
