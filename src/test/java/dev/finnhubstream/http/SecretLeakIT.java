package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.ServiceEnv;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar run with a known Finnhub token and a known admin token: every endpoint is hit (admin ones with the
 * right and wrong tokens, every event-bus address's recent messages and a live tap, error paths, even a path that
 * carries the token itself), then every response body and header and the whole process log are searched for
 * either secret. Neither may appear anywhere.
 */
class SecretLeakIT {

  private static final String TOKEN = "leak-finnhub-" + System.nanoTime();
  private static final String ADMIN = "leak-admin-" + System.nanoTime();

  private final Vertx vertx = Vertx.vertx();
  private Process process;

  @TempDir
  Path tmp;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    vertx.close().await();
  }

  @Test
  @DisplayName("no response of any endpoint and no log line ever shows the Finnhub token or the admin token")
  void secretsNeverLeak() throws Exception {
    KafkaTestSupport.requireBroker();
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN)).withTradesPerSecond(200)
      .withMalformedFrameRatio(0.05));
    vertx.deployVerticle(emulator).await();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> env = ServiceEnv.forEmulator(emulator, TOKEN, KafkaTestSupport.uniqueTopic("it_leak"));
    env.putAll(Map.of("HTTP_PORT", Integer.toString(port), "ADMIN_TOKEN", ADMIN, "FINNHUB_SYMBOLS", "AAPL,BINANCE:BTCUSDT,IC MARKETS:1"));
    Path log = tmp.resolve("service.log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
      Path.of("target", "finnhub-stream-fat.jar").toString()).directory(new File(".")).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("FINNHUB_") || k.startsWith("KAFKA_") || k.startsWith("APP_")
      || k.equals("HTTP_PORT") || k.equals("ADMIN_TOKEN"));
    pb.environment().putAll(env);
    process = pb.start();

    WebClient web = WebClient.create(vertx);
    List<String> seen = new ArrayList<>();
    int p = port;
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      try {
        return web.get(p, "127.0.0.1", "/ready").send().await().statusCode() == 200;
      } catch (Exception notYet) { // not listening yet
        return false;
      }
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> web.get(p, "127.0.0.1", "/status").send().await().bodyAsJsonObject()
      .getJsonObject("dead_letters").getLong("total") > 0);

    List<String> paths = new ArrayList<>(List.of("/health", "/ready", "/status", "/metrics", "/", "/status.js", "/debug/eventbus",
      "/nowhere", "/debug/eventbus/" + TOKEN, "/debug/eventbus/" + ADMIN + "/stream", "/debug/eventbus/finnhub.trades?limit=abc",
      "/status?token=" + TOKEN));
    for (String address : web.get(p, "127.0.0.1", "/debug/eventbus").send().await().bodyAsJsonObject().getJsonObject("addresses").fieldNames()) {
      paths.add("/debug/eventbus/" + address + "?limit=100");
    }
    for (String path : paths) {
      seen.add(record(web.get(p, "127.0.0.1", path).send().await()));
    }
    for (String address : List.of(Addresses.TRADES, Addresses.DEAD_LETTERS, Addresses.STATUS_SINK)) {
      seen.add(record(web.get(p, "127.0.0.1", "/debug/eventbus/" + address + "/stream?limit=3&seconds=5").send().await()));
    }
    JsonObject symbols = new JsonObject().put("symbols", new JsonArray().add("MSFT").add(TOKEN));
    for (String bearer : List.of(ADMIN, TOKEN, "not-the-admin-token-x")) {
      seen.add(record(admin(web.request(HttpMethod.PUT, p, "127.0.0.1", "/symbols"), bearer).sendJsonObject(symbols).await()));
      seen.add(record(admin(web.request(HttpMethod.DELETE, p, "127.0.0.1", "/symbols/" + URLEncoder.encode(TOKEN, StandardCharsets.UTF_8)
        .replace("+", "%20")), bearer).send().await()));
      seen.add(record(admin(web.request(HttpMethod.DELETE, p, "127.0.0.1", "/symbols/MSFT"), bearer).send().await()));
    }
    seen.add(record(web.request(HttpMethod.PUT, p, "127.0.0.1", "/symbols").putHeader("Authorization", ADMIN).sendBuffer(Buffer.buffer(TOKEN)).await()));
    seen.add(record(web.get(p, "127.0.0.1", "/status").send().await())); // after the admin calls: the token symbol is shown redacted
    seen.add(record(web.get(p, "127.0.0.1", "/metrics").send().await()));

    process.destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String logText = Files.readString(log);
    assertThat(logText).contains("finnhub-stream started").contains("Admin request");
    assertThat(seen).hasSizeGreaterThan(20).allSatisfy(text -> assertThat(text).doesNotContain(TOKEN).doesNotContain(ADMIN));
    assertThat(logText).doesNotContain(TOKEN).doesNotContain(ADMIN);
  }

  private static HttpRequest<Buffer> admin(HttpRequest<Buffer> request, String bearer) {
    return request.bearerTokenAuthentication(bearer);
  }

  /** Status line, headers and body as one text. */
  private static String record(HttpResponse<Buffer> response) {
    StringBuilder out = new StringBuilder().append(response.statusCode()).append(' ').append(response.statusMessage()).append('\n');
    response.headers().forEach(h -> out.append(h.getKey()).append(": ").append(h.getValue()).append('\n'));
    return out.append(response.bodyAsString()).toString();
  }
}
