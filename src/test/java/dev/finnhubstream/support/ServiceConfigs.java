package dev.finnhubstream.support;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
