package dev.finnhubstream.support;

import dev.finnhubstream.MainVerticle;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.metrics.VertxMetricsSetup;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole service in this JVM, as the launcher builds it (Vert.x with metrics), between the project's Finnhub
 * emulator (WebSocket and REST market status) and the real Kafka broker, with a web client on its status port.
 */
public final class InProcessService implements AutoCloseable {

  public final Vertx vertx;
  public final FinnhubEmulator emulator;
  public final MainVerticle main;
  public final WebClient web;
  public final AppConfig config;

  /**
   * @param emulatorOptions the emulator (its accepted tokens should include {@code token})
   * @param env             environment overrides (FINNHUB_TOKEN among them) on top of the emulator URLs, the broker, a
   *                        unique topic and port 0
   * @param edit            changes to {@code conf/app.json} before resolution (fast subscribes are set already)
   */
  public InProcessService(EmulatorOptions emulatorOptions, Map<String, String> env, Consumer<JsonObject> edit) throws Exception {
    vertx = VertxMetricsSetup.newVertx();
    emulator = new FinnhubEmulator(emulatorOptions);
    vertx.deployVerticle(emulator).await();
    JsonObject file = new JsonObject(Files.readString(Path.of("conf/app.json")));
    JsonObject local = file.getJsonObject("environments").getJsonObject("local");
    // The emulator only streams subscribed symbols: subscribe them all at once.
    local.getJsonObject("finnhub").put("subscribes_per_second", 1_000);
    edit.accept(file);
    Map<String, String> all = ServiceEnv.forEmulator(emulator, env.get("FINNHUB_TOKEN"), KafkaTestSupport.uniqueTopic("it_status"));
    // No FINNHUB_REST_URL: market hours follow FINNHUB_URL to the emulator, which answers them too.
    all.putAll(env);
    config = ConfigResolver.resolve(file, "conf/app.json", all);
    main = new MainVerticle(config);
    vertx.deployVerticle(main).await();
    web = WebClient.create(vertx);
  }

  public HttpResponse<Buffer> get(String path) {
    return web.get(main.httpPort(), "127.0.0.1", path).send().await();
  }

  public JsonObject status() {
    return get("/status").bodyAsJsonObject();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + main.httpPort();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
