package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.emulator.EmulatedTrade;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.RealBrokerTest;
import dev.finnhubstream.support.LocalBroker;
import dev.finnhubstream.support.ServiceConfigs;
import dev.finnhubstream.support.ServiceProcess;
import dev.finnhubstream.support.TradeChecks;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the fat jar in the middle of a stream: the process exits 0 and every trade it received is in
 * Kafka, with the broker up, and, with the broker down, on disk and in Kafka after the next start.
 */
class GracefulShutdownIT extends RealBrokerTest {

  private static final String TOKEN = "sigterm-token";
  private static final String SYMBOLS = "AAPL,MSFT,BINANCE:BTCUSDT,OANDA:EUR_USD,IC MARKETS:1";
  /** The writer's closing log line: what it received and what is left in the disk buffer. */
  private static final String STOPPED = "Kafka writer stopped: received (\\d+) trades.*acked (\\d+) trades.*disk buffer holds (\\d+) records";

  private FinnhubEmulator emulator;
  private ServiceProcess service;


  @AfterEach
  void tearDown() throws InterruptedException {
    if (service != null) {
      service.close();
    }
    LocalBroker.start();
  }

  private void startEmulator(int rate, long total) {
    emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN)).withTradesPerSecond(rate)
      .withTotalTrades(total).withMaxTradesPerFrame(8).withPingIntervalMs(0).withRecordTrades(true));
    vertx.deployVerticle(emulator).await();
  }

  private Map<String, String> env(String topic, Path config) {
    Map<String, String> env = ServiceConfigs.env(emulator.actualPort(), TOKEN, SYMBOLS, topic);
    env.put("APP_CONFIG", config.toString());
    // The same directory for every start of one test: the restart must find what the stopped process left.
    env.put("KAFKA_DISK_BUFFER_DIR", tmp.resolve("buffer").toString());
    return env;
  }

  @Test
  @DisplayName("SIGTERM mid-stream: exit 0, and Kafka holds exactly the trades received, a prefix of what was sent")
  void sigtermDeliversEverythingReceived() throws Exception {
    long total = 1_000_000;
    startEmulator(5_000, total);
    String topic = KafkaTestSupport.uniqueTopic("it_sigterm");
    Path config = ServiceConfigs.write(tmp, Map.of());
    service = ServiceProcess.start(tmp.resolve("service.log"), env(topic, config));
    // The service's own count, not the emulator's: on a loaded machine thousands of sent trades can still sit in the
    // socket's buffers, and only what the service received is promised.
    await().atMost(Duration.ofSeconds(60)).until(() -> service.sinkStatus().getLong("received") >= 20_000);

    assertThat(service.terminate(Duration.ofSeconds(60))).as("exit code after SIGTERM; log:%n%s", service.log()).isZero();
    int received = Integer.parseInt(service.logMatch(STOPPED));
    assertThat(service.logMatch("Kafka writer stopped: received \\d+ trades.*acked (\\d+) trades")).isEqualTo(Integer.toString(received));
    assertThat(service.logMatch("disk buffer holds (\\d+) records")).isEqualTo("0");
    assertThat(received).as("trades received before the signal").isGreaterThanOrEqualTo(20_000);
    assertThat(emulator.tradesSent()).as("the stream was cut, not finished").isLessThan(total);

    List<ConsumerRecord<String, String>> records = KafkaTestSupport.readAll(topic, received, Duration.ofSeconds(60), Duration.ofSeconds(3));
    // TCP delivers in order and the service reads frames in order: what it received is a prefix of what was sent.
    List<EmulatedTrade> sent = emulator.sentTrades();
    TradeChecks.assertExactly(records, sent.subList(0, received));
  }

  @Test
  @DisplayName("SIGTERM while the broker is down: exit 0 with the trades on disk; the next start delivers them all")
  void sigtermDuringOutageKeepsTradesOnDisk() throws Exception {
    startEmulator(2_000, 1_000_000);
    String topic = KafkaTestSupport.uniqueTopic("it_sigterm_outage");
    Path config = ServiceConfigs.write(tmp, Map.of("outage_after_ms", 2_000));
    service = ServiceProcess.start(tmp.resolve("first.log"), env(topic, config));
    await().atMost(Duration.ofSeconds(60)).until(() -> emulator.tradesSent() >= 5_000 && service.sinkStatus().getLong("acked") > 0);
    LocalBroker.kill9();
    await().atMost(Duration.ofSeconds(30)).until(() -> "OUTAGE".equals(service.sinkStatus().getString("mode"))
      && service.sinkStatus().getJsonObject("disk_buffer").getLong("records") > 1_000);

    assertThat(service.terminate(Duration.ofSeconds(60))).as("exit code after SIGTERM; log:%n%s", service.log()).isZero();
    String runId = service.logMatch("run id (\\w+)");
    int received = Integer.parseInt(service.logMatch(STOPPED));
    int acked = Integer.parseInt(service.logMatch("Kafka writer stopped: received \\d+ trades.*acked (\\d+) trades"));
    int onDisk = Integer.parseInt(service.logMatch("disk buffer holds (\\d+) records"));
    assertThat(onDisk).as("trades left on disk").isPositive().isGreaterThanOrEqualTo(received - acked);
    vertx.undeploy(emulator.deploymentID()).await();

    LocalBroker.start();
    service = ServiceProcess.start(tmp.resolve("second.log"), env(topic, config));
    await().atMost(Duration.ofMinutes(2)).until(() -> {
      JsonObject sink = service.sinkStatus();
      return sink.getJsonObject("disk_buffer").getLong("records") == 0 && sink.getLong("in_flight_records") == 0
        && sink.getLong("acked") >= received - acked;
    });
    assertThat(service.terminate(Duration.ofSeconds(60))).isZero();

    List<ConsumerRecord<String, String>> all = KafkaTestSupport.readAll(topic, received, Duration.ofSeconds(60), Duration.ofSeconds(3));
    List<ConsumerRecord<String, String>> firstRun = all.stream()
      .filter(r -> new JsonObject(r.value()).getString("ingest_id").startsWith(runId + "-")).toList();
    // Records the producer held when it was closed may have reached the broker just before it died: those
    // are written twice, and downstream collapses them on ingest_id. None may be missing.
    List<ConsumerRecord<String, String>> distinct = TradeChecks.firstOccurrences(firstRun);
    TradeChecks.assertSameBySymbol(distinct, emulator.sentTrades().subList(0, received));
    assertThat(distinct).hasSize(received);
  }
}
