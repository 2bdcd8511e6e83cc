package dev.finnhubstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.emulator.Silence;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.ServiceEnv;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar as users run it ({@code java -jar}), driven only by the documented environment overrides:
 * it delivers the emulator's trades to Kafka, serves /health and /status, never prints the token, and
 * refuses a bad configuration with one clear line and a non-zero exit.
 */
class FatJarIT {

  private static final Path JAR = Path.of("target", "finnhub-stream-fat.jar");
  private static final String TOKEN = "jar-secret-" + System.nanoTime();

  private Vertx vertx;
  private Process process;

  @TempDir
  Path tmp;

  @BeforeEach
  void setUp() {
    assertThat(JAR).as("fat jar (built by mvn package)").exists();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    vertx.close().await();
  }

  @Test
  @DisplayName("java -jar with env overrides delivers every emulator trade to Kafka and serves its endpoints")
  void runsFromEnvironment() throws Exception {
    KafkaTestSupport.requireBroker();
    int trades = 5_000;
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults()
      .withAcceptedTokens(Set.of(TOKEN)).withTradesPerSecond(5_000).withTotalTrades(trades));
    vertx.deployVerticle(emulator).await();
    String topic = KafkaTestSupport.uniqueTopic("it_jar");
    int httpPort = freePort();
    Path log = tmp.resolve("service.log");
    // Trades wait until all three symbols are subscribed (paced at 10/s): on a busy machine the whole budget could
    // otherwise go out on the first symbols alone.
    emulator.setSilence(Silence.PINGS_ONLY);
    process = start(log, Map.of(
      "FINNHUB_URL", "ws://127.0.0.1:" + emulator.actualPort(),
      "FINNHUB_TOKEN", TOKEN,
      "FINNHUB_SYMBOLS", "AAPL,IC MARKETS:1,BINANCE:BTCUSDT",
      "KAFKA_BOOTSTRAP_SERVERS", KafkaTestSupport.bootstrap(),
      "KAFKA_TOPIC", topic,
      "KAFKA_DISK_BUFFER_DIR", ServiceEnv.freshBufferDir(),
      "HTTP_PORT", Integer.toString(httpPort)));

    await().atMost(Duration.ofSeconds(60)).until(() -> emulator.subscribedSymbols().size() == 3);
    emulator.setSilence(Silence.NONE);
    await().atMost(Duration.ofSeconds(60)).until(() -> emulator.tradesSent() == trades);
    List<ConsumerRecord<String, String>> records = KafkaTestSupport.readAll(topic, trades, Duration.ofSeconds(60), Duration.ofSeconds(3));
    assertThat(records).hasSize(trades);
    assertThat(records).extracting(ConsumerRecord::key).containsOnly("AAPL", "IC MARKETS:1", "BINANCE:BTCUSDT");

    WebClient web = WebClient.create(vertx);
    assertThat(web.get(httpPort, "127.0.0.1", "/health").send().await().statusCode()).isEqualTo(200);
    JsonObject status = web.get(httpPort, "127.0.0.1", "/status").send().await().bodyAsJsonObject();
    assertThat(status.getJsonObject("kafka").getLong("acked")).isEqualTo(trades);
    assertThat(status.getJsonObject("config").getJsonObject("kafka").getString("topic")).isEqualTo(topic);
    assertThat(status.encode()).doesNotContain(TOKEN);
    // Main-Class is FinnhubStreamApplication: its hook gives Vert.x its metrics factory, so Vert.x's own meters show.
    String metrics = web.get(httpPort, "127.0.0.1", "/metrics").send().await().bodyAsString();
    assertThat(metrics).contains("vertx_eventbus_published_total{address=\"finnhub.trades\"").contains("jvm_memory_used_bytes");
    assertThat(web.get(httpPort, "127.0.0.1", "/ready").send().await().statusCode()).isEqualTo(200);

    process.destroy(); // SIGTERM: MainVerticle closes the Finnhub side, drains the Kafka writer, exits 0
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
    String output = Files.readString(log);
    assertThat(output).contains("finnhub-stream started").contains("Kafka writer stopped");
    assertThat(output).doesNotContain(TOKEN);
  }

  @Test
  @DisplayName("a bad configuration exits non-zero with one line naming the key and the fix, and no stack trace")
  void badConfigurationStopsStartup() throws Exception {
    Path typo = tmp.resolve("app.json");
    Files.writeString(typo, Files.readString(Path.of("conf/app.json")).replace("\"reconnect_max_ms\"", "\"reconect_max_ms\""));
    Map<Map<String, String>, String> cases = Map.of(
      Map.of("APP_ENV", "staging"), "APP_ENV: unknown environment \"staging\"",
      Map.of("FINNHUB_SYMBOLS", " , "), "FINNHUB_SYMBOLS: contains an empty symbol",
      Map.of("FINNHUB_URL", "wss://ws.finnhub.io"), "FINNHUB_TOKEN: not set",
      Map.of("APP_CONFIG", typo.toString()), "common.finnhub.reconect_max_ms: unknown key",
      Map.of("APP_CONFIG", tmp.resolve("missing.json").toString()), "APP_CONFIG: config file");
    for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
      Path log = tmp.resolve("bad-" + Math.abs(c.getKey().hashCode()) + ".log");
      Map<String, String> env = new HashMap<>(c.getKey());
      env.put("HTTP_PORT", "0");
      Process p = start(log, env);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(p.exitValue()).as("exit code for %s; output:%n%s", c.getKey(), output).isNotZero();
      assertThat(output).as("output for %s", c.getKey())
        .containsPattern("Invalid configuration, not starting: " + java.util.regex.Pattern.quote(c.getValue()) + ".*Fix: ")
        .doesNotContain("\tat dev.finnhubstream");
    }
  }

  private Process start(Path log, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xmx256m", "-jar", JAR.toString())
      .directory(new File("."))
      .redirectErrorStream(true)
      .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("FINNHUB_") || k.startsWith("KAFKA_") || k.startsWith("APP_") || k.equals("HTTP_PORT"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
