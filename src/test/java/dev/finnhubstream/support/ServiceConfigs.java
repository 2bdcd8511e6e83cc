package dev.finnhubstream.support;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The committed {@code conf/app.json} with a test's own values in the local environment's kafka section. */
public final class ServiceConfigs {

  private static final Path COMMITTED = Path.of("conf/app.json");

  private ServiceConfigs() {
  }

  /** The file's JSON with {@code kafka} entries put into {@code environments.local.kafka}. */
  public static JsonObject edited(Map<String, Object> kafka) {
    try {
      JsonObject root = new JsonObject(Files.readString(COMMITTED));
      JsonObject local = root.getJsonObject("environments").getJsonObject("local").getJsonObject("kafka");
      kafka.forEach(local::put);
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Resolved for environment {@code local} with {@code env} as the process environment. */
  public static AppConfig local(Map<String, String> env, Map<String, Object> kafka) {
    return ConfigResolver.resolve(edited(kafka), COMMITTED.toString(), env);
  }

  /** Written to {@code dir/app.json}, for a service started with {@code APP_CONFIG}. */
  public static Path write(Path dir, Map<String, Object> kafka) {
    try {
      Path file = dir.resolve("app.json");
      Files.writeString(file, edited(kafka).encodePrettily());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The service environment of a test: the Finnhub stand-in on {@code finnhubPort} with {@code token} and
   * {@code symbols} (comma-separated), the test broker, the test's own topic and outage-buffer directory, any free
   * HTTP port. Mutable.
   */
  public static Map<String, String> env(int finnhubPort, String token, String symbols, String topic) {
    Map<String, String> env = new HashMap<>();
    env.put("FINNHUB_URL", "ws://127.0.0.1:" + finnhubPort);
    env.put("FINNHUB_TOKEN", token);
    env.put("FINNHUB_SYMBOLS", symbols);
    env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaTestSupport.bootstrap());
    env.put("KAFKA_TOPIC", topic);
    env.put("KAFKA_GAP_TOPIC", KafkaTestSupport.gapTopicOf(topic));
    env.put("KAFKA_DISK_BUFFER_DIR", ServiceEnv.freshBufferDir());
    env.put("HTTP_PORT", "0");
    return env;
  }
}
