package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.emulator.DropMode;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.emulator.Silence;
import dev.finnhubstream.support.InProcessService;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.PrometheusText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The status endpoint's contracts against the whole service (emulator → service → real Kafka): status codes,
 * JSON shapes, Prometheus text that the Prometheus parser accepts, the event-bus debugging endpoints (the SSE
 * tap delivers and stops), readiness following the Finnhub connection, market hours, and the admin endpoints.
 */
class StatusEndpointsIT {

  private static final String TOKEN = "it-status-" + System.nanoTime();
  private static final String ADMIN = "admin-" + System.nanoTime() + "-xyz";
  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "BINANCE:BTCUSDT", "IC MARKETS:1");

  private InProcessService service;

  @BeforeEach
  void setUp() throws Exception {
    KafkaTestSupport.requireBroker();
    service = new InProcessService(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN)).withTradesPerSecond(200)
      .withPingIntervalMs(1_000),
      Map.of("FINNHUB_TOKEN", TOKEN, "FINNHUB_SYMBOLS", String.join(",", SYMBOLS), "ADMIN_TOKEN", ADMIN),
      file -> file.getJsonObject("common").getJsonObject("market_hours").put("poll_ms", 1_000));
    await().atMost(Duration.ofSeconds(60)).until(() -> service.get("/ready").statusCode() == 200);
  }

  @AfterEach
  void tearDown() {
    service.close();
  }

  @Test
  @DisplayName("/health, /ready and /status answer with their documented status codes and JSON shapes")
  void healthReadyStatus() {
    assertThat(service.get("/health").bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "UP"));
    HttpResponse<Buffer> ready = service.get("/ready");
    assertThat(ready.getHeader("Content-Type")).startsWith("application/json");
    assertThat(ready.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "READY").put("reasons", new JsonArray()));

    await().atMost(Duration.ofSeconds(30)).until(() -> service.status().getJsonObject("kafka").getLong("acked") > 0);
    JsonObject status = service.status();
    assertThat(status.fieldNames()).contains("service", "environment", "version", "started_at_ms", "uptime_ms", "uptime", "ready",
      "finnhub", "symbols", "market_hours", "throughput", "eventbus", "dead_letters", "backpressure", "kafka", "config");
    assertThat(status.getString("environment")).isEqualTo("local");
    assertThat(status.getJsonObject("ready").getBoolean("ready")).isTrue();
    JsonObject connection = status.getJsonArray("finnhub").getJsonObject(0);
    assertThat(connection.getString("connection")).isEqualTo("key-1");
    assertThat(connection.getString("state")).isEqualTo("CONNECTED");
    assertThat(connection.getJsonArray("subscribed")).containsExactlyInAnyOrderElementsOf(SYMBOLS);

    // Per symbol: last price, last trade time, age, market open (crypto and forex always; US from the emulator's REST).
    await().atMost(Duration.ofSeconds(30)).until(() -> service.status().getJsonArray("symbols").stream()
      .allMatch(s -> ((JsonObject) s).getValue("last_price") != null && ((JsonObject) s).getBoolean("market_open") != null));
    JsonArray symbols = service.status().getJsonArray("symbols");
    assertThat(symbols.stream().map(s -> ((JsonObject) s).getString("symbol")).toList()).containsExactlyElementsOf(SYMBOLS);
    for (Object o : symbols) {
      JsonObject s = (JsonObject) o;
      assertThat(s.getDouble("last_price")).isPositive();
      assertThat(s.getLong("last_trade_ts_ms")).isPositive();
      assertThat(s.getLong("age_ms")).isNotNegative();
      assertThat(s.getBoolean("market_open")).isTrue();
      assertThat(s.getString("flow")).isEqualTo("FLOWING");
    }

    status = service.status();
    JsonObject addresses = status.getJsonObject("eventbus").getJsonObject("addresses");
    assertThat(status.getJsonObject("eventbus").getBoolean("vertx_metrics")).isTrue();
    JsonObject trades = addresses.getJsonObject("finnhub.trades");
    assertThat(trades.getLong("published")).isPositive();
    assertThat(trades.getLong("consumers")).as("the Kafka writer (the metrics verticle observes, it does not consume)").isEqualTo(1);
    assertThat(trades.fieldNames()).contains("delivered", "pending", "rate_per_s_1m");

    JsonObject kafka = status.getJsonObject("kafka");
    assertThat(kafka.getString("topic")).isEqualTo(service.config.kafka().topic());
    assertThat(kafka.getInteger("partitions")).isEqualTo(service.config.kafka().partitions());
    assertThat(kafka.fieldNames()).contains("acked", "failed", "last_error", "health");
    assertThat(kafka.getJsonObject("health").getBoolean("healthy")).isTrue();
    assertThat(status.getJsonObject("config").getJsonObject("http").getString("admin_token")).isEqualTo("set (hidden)");
    assertThat(status.getJsonObject("throughput").getJsonArray("received_per_s")).isNotEmpty();
  }

  @Test
  @DisplayName("/metrics is Prometheus text the Prometheus parser accepts, with the service's, Vert.x's and the JVM's meters")
  void prometheus() throws Exception {
    // Meters read from status replies refresh once a second: wait until they show traffic.
    await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusText.samples(PrometheusText.parse(service.get("/metrics").bodyAsString()),
      "finnhub_kafka_records_acked_total").stream().anyMatch(s -> s.value() > 100));
    HttpResponse<Buffer> response = service.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
    List<PrometheusText.Family> families = PrometheusText.parse(response.bodyAsString());

    List<PrometheusText.Sample> received = PrometheusText.samples(families, "finnhub_trades_received_total");
    assertThat(received).extracting(s -> s.labels().get("symbol"))
      .containsExactlyInAnyOrder("AAPL", "MSFT", "BINANCE:BTCUSDT", "IC MARKETS:1", "other");
    assertThat(received.stream().filter(s -> !s.labels().get("symbol").equals("other")).mapToDouble(PrometheusText.Sample::value))
      .allMatch(v -> v > 0);
    assertThat(PrometheusText.samples(families, "finnhub_frames_received_total")).singleElement()
      .satisfies(s -> assertThat(s.value()).isPositive());
    assertThat(PrometheusText.samples(families, "finnhub_connection_state")).filteredOn(s -> s.value() == 1)
      .singleElement().satisfies(s -> assertThat(s.labels()).containsEntry("state", "CONNECTED").containsEntry("connection", "key-1"));
    assertThat(PrometheusText.samples(families, "finnhub_feed_lag_seconds_count")).singleElement()
      .satisfies(s -> assertThat(s.value()).isPositive());
    assertThat(PrometheusText.samples(families, "finnhub_trade_age_seconds")).hasSize(SYMBOLS.size());
    assertThat(PrometheusText.samples(families, "finnhub_market_open")).allSatisfy(s -> assertThat(s.value()).isEqualTo(1.0));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_records_acked_total")).singleElement()
      .satisfies(s -> assertThat(s.value()).isPositive());
    assertThat(PrometheusText.samples(families, "finnhub_kafka_healthy")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(1.0));
    // Vert.x's own meters (enabled at Vert.x creation) and the JVM/process binders.
    assertThat(PrometheusText.samples(families, "vertx_eventbus_published_total"))
      .anySatisfy(s -> assertThat(s.labels()).containsEntry("address", "finnhub.trades"));
    assertThat(PrometheusText.samples(families, "vertx_http_server_requests_total")).isNotEmpty();
    assertThat(PrometheusText.samples(families, "jvm_memory_used_bytes")).isNotEmpty();
    assertThat(PrometheusText.samples(families, "process_cpu_usage")).isNotEmpty();
    assertThat(PrometheusText.samples(families, "process_files_open_files")).isNotEmpty();
    // No event-bus reply address ever becomes a label value.
    assertThat(families.stream().flatMap(f -> f.samples().stream()).map(s -> s.labels().getOrDefault("address", "")))
      .noneMatch(a -> a.startsWith("__vertx"));
    // From the Kafka writer's report: trades written per symbol, ack and send latency histograms, disk buffer. With
    // trades held back, the figures of one report must agree with each other exactly.
    service.emulator.setSilence(Silence.PINGS_ONLY);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> kafkaWriterMeters(PrometheusText.parse(service.get("/metrics").bodyAsString())));
  }

  private static void kafkaWriterMeters(List<PrometheusText.Family> families) {
    List<PrometheusText.Sample> written = PrometheusText.samples(families, "finnhub_trades_written_total");
    assertThat(written).extracting(s -> s.labels().get("symbol")).containsExactlyInAnyOrder("AAPL", "MSFT", "BINANCE:BTCUSDT", "IC MARKETS:1", "other");
    double writtenTotal = written.stream().mapToDouble(PrometheusText.Sample::value).sum();
    double ackedTotal = PrometheusText.samples(families, "finnhub_kafka_records_acked_total").get(0).value();
    assertThat(writtenTotal).as("per-symbol written adds up to acked").isEqualTo(ackedTotal);
    for (String histogram : List.of("finnhub_kafka_ack_latency_seconds", "finnhub_kafka_send_latency_seconds")) {
      assertThat(families).filteredOn(f -> f.name().equals(histogram)).singleElement().satisfies(f -> assertThat(f.type()).isEqualTo("histogram"));
      assertThat(PrometheusText.samples(families, histogram + "_count")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(ackedTotal));
      assertThat(PrometheusText.samples(families, histogram + "_bucket")).filteredOn(s -> s.labels().get("le").equals("+Inf"))
        .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(ackedTotal));
    }
    assertThat(PrometheusText.samples(families, "finnhub_kafka_disk_buffer_bytes")).singleElement();
  }

  @Test
  @DisplayName("/debug/eventbus lists addresses and keeps the last N messages of each, bounded")
  void eventBusDebugging() {
    await().atMost(Duration.ofSeconds(30)).until(() -> service.get("/debug/eventbus").bodyAsJsonObject()
      .getJsonObject("addresses").getJsonObject("finnhub.trades").getLong("seen") > EventBusTap.RING_SIZE);
    JsonObject list = service.get("/debug/eventbus").bodyAsJsonObject();
    assertThat(list.getJsonObject("addresses").fieldNames()).contains("finnhub.trades", "finnhub.dead-letters", "flow.backpressure",
      "status.sink", "status.ingest.key-1", "ingest.symbols.key-1").noneMatch(a -> a.startsWith("__vertx"));

    JsonObject recent = service.get("/debug/eventbus/finnhub.trades?limit=5").bodyAsJsonObject();
    JsonArray messages = recent.getJsonArray("messages");
    assertThat(messages).hasSize(5);
    JsonObject first = messages.getJsonObject(0);
    assertThat(first.getString("type")).isEqualTo("TradeBatch");
    assertThat(first.getString("kind")).isEqualTo("publish");
    assertThat(first.getJsonObject("body").getJsonArray("trades").getJsonObject(0).fieldNames())
      .contains("symbol", "price", "trade_ts_ms", "ingest_id");
    assertThat(messages.stream().map(m -> ((JsonObject) m).getLong("seq")).toList()).isSorted();
    assertThat(service.get("/debug/eventbus/finnhub.trades?limit=100000").statusCode()).isEqualTo(400);
    assertThat(service.get("/debug/eventbus/finnhub.trades?limit=" + EventBusTap.RING_SIZE).bodyAsJsonObject()
      .getJsonArray("messages")).hasSize(EventBusTap.RING_SIZE);
    HttpResponse<Buffer> unknown = service.get("/debug/eventbus/no.such.address");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getJsonArray("addresses")).contains("finnhub.trades");
  }

  @Test
  @DisplayName("the SSE tap delivers sampled messages, ends by itself at its limit, and is released when the client leaves")
  void sseTap() {
    HttpClient client = service.vertx.createHttpClient();
    // 1. Ends at its limit with an "end" event; sampling every 2nd message shows in the sequence numbers.
    String body = client.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(service.main.httpPort()).setHost("127.0.0.1")
        .setURI("/debug/eventbus/finnhub.trades/stream?limit=4&sample=2&max_per_second=100"))
      .compose(req -> req.send().compose(resp -> {
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.getHeader("Content-Type")).startsWith("text/event-stream");
        return resp.body();
      })).await().toString();
    List<JsonObject> events = dataOf(body, "message");
    assertThat(events).hasSize(4).allSatisfy(e -> assertThat(e.getString("type")).isEqualTo("TradeBatch"));
    assertThat(dataOf(body, "end")).singleElement().satisfies(e -> assertThat(e.getString("reason")).contains("limit of 4"));
    assertThat(body).startsWith("retry: ").contains("event: open");

    // 2. A client that leaves mid-stream: the server drops the tap (streams.open back to 0).
    List<String> chunks = new CopyOnWriteArrayList<>();
    AtomicBoolean ended = new AtomicBoolean();
    HttpClientResponse open = client.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(service.main.httpPort())
        .setHost("127.0.0.1").setURI("/debug/eventbus/finnhub.trades/stream"))
      .compose(req -> req.send()).await();
    open.handler(b -> chunks.add(b.toString())).endHandler(v -> ended.set(true));
    await().atMost(Duration.ofSeconds(20)).until(() -> String.join("", chunks).contains("event: message"));
    assertThat(openStreams()).isEqualTo(1);
    open.request().connection().close().await();
    await().atMost(Duration.ofSeconds(20)).until(() -> openStreams() == 0);
    client.close().await();
  }

  @Test
  @DisplayName("/ready turns 503 with the reason when the emulator drops us and refuses handshakes, and 200 after the reconnect")
  void readinessFollowsTheConnection() {
    FinnhubEmulator emulator = service.emulator;
    emulator.setHandshakeRejection(503);
    emulator.dropConnections(DropMode.ABRUPT).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> service.get("/ready").statusCode() == 503);
    JsonObject notReady = service.get("/ready").bodyAsJsonObject();
    assertThat(notReady.getString("status")).isEqualTo("NOT_READY");
    assertThat(notReady.getJsonArray("reasons").getString(0)).startsWith("key-1: not connected to Finnhub");
    assertThat(service.status().getJsonObject("ready").getBoolean("ready")).isFalse();

    emulator.setHandshakeRejection(0);
    await().atMost(Duration.ofSeconds(60)).until(() -> service.get("/ready").statusCode() == 200);
    assertThat(service.status().getJsonArray("finnhub").getJsonObject(0).getLong("reconnects")).isPositive();
  }

  @Test
  @DisplayName("market hours: a closed US market shows on US symbols only, in /status and /metrics; feeds stay open for crypto and forex")
  void marketHours() throws Exception {
    service.emulator.setMarketSession(new FinnhubEmulator.MarketSession(false, null, "Thanksgiving"));
    await().atMost(Duration.ofSeconds(30)).until(() -> service.status().getJsonArray("symbols").stream()
      .anyMatch(o -> Boolean.FALSE.equals(((JsonObject) o).getBoolean("market_open"))));
    JsonObject status = service.status();
    assertThat(status.getJsonObject("market_hours").getString("holiday")).isEqualTo("Thanksgiving");
    Map<String, Boolean> open = new java.util.HashMap<>();
    status.getJsonArray("symbols").forEach(o -> open.put(((JsonObject) o).getString("symbol"), ((JsonObject) o).getBoolean("market_open")));
    assertThat(open).containsEntry("AAPL", false).containsEntry("MSFT", false)
      .containsEntry("BINANCE:BTCUSDT", true).containsEntry("IC MARKETS:1", true);
    List<PrometheusText.Family> families = PrometheusText.parse(service.get("/metrics").bodyAsString());
    assertThat(PrometheusText.samples(families, "finnhub_market_open")).allSatisfy(s ->
      assertThat(s.value()).isEqualTo(s.labels().get("symbol").contains(":") ? 1.0 : 0.0));
    // Polled once per poll_ms (1 s here), never faster.
    long calls = service.emulator.marketStatusRequests();
    long uptimeS = status.getLong("uptime_ms") / 1000;
    assertThat(calls).isBetween(1L, uptimeS + 2);
  }

  @Test
  @DisplayName("admin: PUT /symbols and DELETE /symbols/{symbol} change the emulator's subscriptions, only with the admin token")
  void adminSymbols() {
    var put = service.web.put(service.main.httpPort(), "127.0.0.1", "/symbols");
    assertThat(put.sendJsonObject(new JsonObject().put("symbols", new JsonArray().add("NVDA"))).await().statusCode()).isEqualTo(401);
    assertThat(service.web.put(service.main.httpPort(), "127.0.0.1", "/symbols").bearerTokenAuthentication("wrong-token-0123456789")
      .sendJsonObject(new JsonObject().put("symbols", new JsonArray().add("NVDA"))).await().statusCode()).isEqualTo(401);
    assertThat(service.emulator.subscribedSymbols()).doesNotContain("NVDA");

    HttpResponse<Buffer> added = service.web.put(service.main.httpPort(), "127.0.0.1", "/symbols").bearerTokenAuthentication(ADMIN)
      .sendJsonObject(new JsonObject().put("symbols", new JsonArray().add("NVDA").add("AAPL"))).await();
    assertThat(added.statusCode()).isEqualTo(200);
    JsonArray results = added.bodyAsJsonObject().getJsonArray("results");
    assertThat(results.getJsonObject(0).getString("result")).isEqualTo("added");
    assertThat(results.getJsonObject(1).getString("result")).isEqualTo("already_present");
    await().atMost(Duration.ofSeconds(20)).until(() -> service.emulator.subscribedSymbols().contains("NVDA"));
    await().atMost(Duration.ofSeconds(20)).until(() -> service.status().getJsonArray("symbols").stream()
      .anyMatch(s -> ((JsonObject) s).getString("symbol").equals("NVDA") && ((JsonObject) s).getValue("last_price") != null));

    HttpResponse<Buffer> removed = service.web.delete(service.main.httpPort(), "127.0.0.1", "/symbols/IC%20MARKETS:1")
      .bearerTokenAuthentication(ADMIN).send().await();
    assertThat(removed.statusCode()).isEqualTo(200);
    assertThat(removed.bodyAsJsonObject().getString("was")).isEqualTo("SUBSCRIBED");
    await().atMost(Duration.ofSeconds(20)).until(() -> !service.emulator.subscribedSymbols().contains("IC MARKETS:1"));
    assertThat(service.web.delete(service.main.httpPort(), "127.0.0.1", "/symbols/IC%20MARKETS:1").bearerTokenAuthentication(ADMIN)
      .send().await().statusCode()).isEqualTo(404);
    assertThat(service.web.put(service.main.httpPort(), "127.0.0.1", "/symbols").bearerTokenAuthentication(ADMIN)
      .sendJsonObject(new JsonObject().put("symbols", new JsonArray().add(" AAPL"))).await().statusCode()).isEqualTo(400);
  }

  private int openStreams() {
    return service.get("/debug/eventbus").bodyAsJsonObject().getJsonObject("streams").getInteger("open");
  }

  /** The data of every SSE event of type {@code event}, as JSON. */
  private static List<JsonObject> dataOf(String stream, String event) {
    Matcher m = Pattern.compile("event: " + event + "\ndata: (.*)\n\n").matcher(stream);
    List<JsonObject> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(new JsonObject(m.group(1)));
    }
    return out;
  }
}
