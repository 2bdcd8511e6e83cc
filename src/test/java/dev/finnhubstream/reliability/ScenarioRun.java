package dev.finnhubstream.reliability;

import static org.awaitility.Awaitility.await;

import dev.finnhubstream.emulator.EmulatedTrade;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.ClickHouseTestSupport;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.ServiceConfigs;
import dev.finnhubstream.support.ServiceProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One scenario of the reliability suite, end to end: the project's emulator in this JVM (the ground truth: it
 * records every trade it sent), the fat jar as a process with its own trades topic, dead-letter topic and outage
 * buffer, and a ClickHouse 18.16 database reading the trades topic through the local schema (Kafka engine and
 * views). {@link #measure} counts what arrived where; the scenario asserts its promise on the counts.
 */
final class ScenarioRun implements AutoCloseable {

  static final String TOKEN = "reliability-token";

  final String id;
  final FinnhubEmulator emulator;
  final String topic;
  final String deadLetterTopic;
  final String database;
  private final Vertx vertx;
  private final Path dir;
  private final Path config;
  private final Map<String, String> env;
  private final List<String> tokens = new ArrayList<>();
  private ServiceProcess service;
  private int starts;

  /** What arrived where, against what the emulator sent. */
  record Counts(long sent, long inKafka, long distinctInKafka, long inClickHouse, long missing, long unexpected,
                long duplicated, long deadLettered, List<ConsumerRecord<String, String>> records) {
  }

  /**
   * Deploys the emulator, creates the topics and the ClickHouse database (topic first: 18.16 only sees a topic
   * that exists when its Kafka engine subscribes) and writes the service's config: the committed
   * {@code conf/app.json} with {@code finnhub} and {@code kafka} entries of the scenario in the local environment.
   */
  ScenarioRun(Vertx vertx, Path dir, String id, EmulatorOptions emulatorOptions, String symbols,
              Map<String, Object> finnhub, Map<String, Object> kafka) {
    this(vertx, dir, id, emulatorOptions, symbols, finnhub, kafka, 1);
  }

  /** @param keys how many API keys the service gets ({@link #token}), one connection each */
  ScenarioRun(Vertx vertx, Path dir, String id, EmulatorOptions emulatorOptions, String symbols,
              Map<String, Object> finnhub, Map<String, Object> kafka, int keys) {
    this.vertx = vertx;
    for (int i = 0; i < keys; i++) {
      tokens.add(token(i));
    }
    this.dir = dir;
    this.id = id;
    String suffix = id.replace('-', '_');
    topic = KafkaTestSupport.uniqueTopic("rel_" + suffix);
    deadLetterTopic = topic + "_dlq";
    database = ClickHouseTestSupport.uniqueDatabase("rel_" + suffix);
    emulator = new FinnhubEmulator(emulatorOptions.withAcceptedTokens(Set.copyOf(tokens)).withRecordTrades(true));
    vertx.deployVerticle(emulator).await();
    KafkaTestSupport.createTopic(deadLetterTopic);
    ClickHouseTestSupport.createLocalSchema(database, topic);
    Map<String, Object> kafkaEntries = new HashMap<>(kafka);
    kafkaEntries.put("dead_letter_topic", deadLetterTopic);
    JsonObject file = ServiceConfigs.edited(kafkaEntries);
    JsonObject local = file.getJsonObject("environments").getJsonObject("local");
    JsonObject finnhubSection = local.getJsonObject("finnhub", new JsonObject());
    finnhub.forEach(finnhubSection::put);
    local.put("finnhub", finnhubSection);
    try {
      Files.createDirectories(dir);
      config = Files.writeString(dir.resolve(id + ".app.json"), file.encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    env = ServiceConfigs.env(emulator.actualPort(), String.join(",", tokens), symbols, topic);
    env.put("APP_CONFIG", config.toString());
    // One directory for every start of this scenario: a restart must find what the previous process left.
    env.put("KAFKA_DISK_BUFFER_DIR", dir.resolve(id + "-buffer").toString());
  }

  /** Starts the fat jar (again, after a stop), with the same outage buffer; {@code symbols} null keeps the list. */
  ServiceProcess start(String symbols) throws IOException, InterruptedException {
    if (symbols != null) {
      env.put("FINNHUB_SYMBOLS", symbols);
    }
    starts++;
    service = ServiceProcess.start(dir.resolve(id + "-" + starts + ".log"), env);
    return service;
  }

  /** The API key of connection {@code index} (0-based): {@link #TOKEN} for the first. */
  static String token(int index) {
    return index == 0 ? TOKEN : TOKEN + "-" + (index + 1);
  }

  ServiceProcess service() {
    return service;
  }

  /** The service's {@code kafka} status. */
  JsonObject sink() {
    return service.sinkStatus();
  }

  /** The first Finnhub connection's status. */
  JsonObject connection() {
    return connection(0);
  }

  /** Finnhub connection {@code index}'s status (0-based, in key order). */
  JsonObject connection(int index) {
    try {
      return service.status().getJsonArray("finnhub").getJsonObject(index);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  long acked() {
    return sink().getLong("acked");
  }

  /** kill -9 of the service process: no shutdown hook, no flush, no goodbye to Kafka or Finnhub. */
  void kill9() throws InterruptedException {
    ProcessHandle.of(service.pid()).ifPresent(ProcessHandle::destroyForcibly);
    ProcessHandle.of(service.pid()).ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());
  }

  /** Waits for the emulator to have sent {@code n} trades. */
  void awaitSent(long n, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> emulator.tradesSent() >= n);
  }

  /** Milliseconds from now until {@code condition} holds, polled every 50 ms (the recovery column). */
  static long millisUntil(Duration atMost, Callable<Boolean> condition) {
    long start = System.nanoTime();
    await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(condition);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  /**
   * Reads the trades topic (until {@code expectedRecords}, then 3 s more so duplicates would show), the dead-letter
   * topic, and waits until ClickHouse holds every distinct trade Kafka holds (then reads its count, with
   * {@code FINAL}). Missing: trades the emulator sent (as a multiset of their content; Finnhub trades have no id)
   * that no distinct record carries; unexpected: distinct records that match no sent trade.
   */
  Counts measure(long expectedRecords, long expectedDeadLetters) {
    List<ConsumerRecord<String, String>> records = KafkaTestSupport.readAll(topic, (int) expectedRecords,
      Duration.ofMinutes(3), Duration.ofSeconds(3));
    List<ConsumerRecord<String, String>> deadLetters = KafkaTestSupport.readAll(deadLetterTopic, (int) expectedDeadLetters,
      Duration.ofSeconds(expectedDeadLetters > 0 ? 60 : 10), Duration.ofSeconds(3));
    Map<List<Object>, Long> remaining = new HashMap<>();
    List<EmulatedTrade> sent = emulator.sentTrades();
    for (EmulatedTrade t : sent) {
      remaining.merge(List.of(t.symbol(), t.t(), t.p(), t.v(), new JsonArray(t.c() == null ? List.of() : t.c())), 1L, Long::sum);
    }
    Set<String> ids = new HashSet<>();
    long unexpected = 0;
    for (ConsumerRecord<String, String> r : records) {
      JsonObject v = new JsonObject(r.value());
      if (!ids.add(v.getString("ingest_id"))) {
        continue;
      }
      List<Object> key = List.of(v.getString("symbol"), v.getLong("trade_ts_ms"), v.getDouble("price"), v.getDouble("volume"),
        v.getJsonArray("conditions"));
      Long left = remaining.get(key);
      if (left == null || left == 0) {
        unexpected++;
      } else {
        remaining.put(key, left - 1);
      }
    }
    long missing = remaining.values().stream().mapToLong(Long::longValue).sum();
    String distinctRows = "SELECT uniqExact(ingest_id) FROM " + database + ".trades";
    try {
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> ClickHouseTestSupport.count(distinctRows) >= ids.size());
      Thread.sleep(2_000); // anything beyond would show up by now
    } catch (org.awaitility.core.ConditionTimeoutException | InterruptedException e) {
      // reported as a shortfall in the ClickHouse column; the scenario's assertion fails on it
    }
    long inClickHouse = ClickHouseTestSupport.count("SELECT count() FROM " + database + ".trades FINAL");
    return new Counts(sent.size(), records.size(), ids.size(), inClickHouse, missing, unexpected,
      records.size() - ids.size(), deadLetters.size(), records);
  }

  /**
   * The service's gap records against the emulator's record of its subscriptions ({@link GapCheck}), once the
   * service reports no open gap (or, with {@code openAllowed}, whatever it reports), and how many of the gaps are
   * rows in ClickHouse ({@code feed_gaps FINAL}, through the local schema's Kafka table).
   *
   * @param trades the trades topic's records, for "no gap while trades flowed"
   */
  GapResult checkGaps(List<ConsumerRecord<String, String>> trades, boolean openAllowed, long toleranceMs, long crashStartToleranceMs) {
    if (!openAllowed) {
      try {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> service.status().getJsonObject("gaps").getInteger("open_now") == 0);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        // reported by the comparison: the emulator's record then shows the symbol not streamed at the end
      }
    }
    long until = System.currentTimeMillis();
    List<JsonObject> gaps = KafkaTestSupport.readAll(KafkaTestSupport.gapTopicOf(topic), 1, Duration.ofSeconds(30), Duration.ofSeconds(3))
      .stream().map(r -> new JsonObject(r.value())).toList();
    GapCheck check = GapCheck.compare(emulator.subscriptionSpans(), gaps, trades.stream().map(r -> new JsonObject(r.value())).toList(),
      until, toleranceMs, crashStartToleranceMs);
    String rows = "SELECT count() FROM " + database + ".feed_gaps FINAL";
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> ClickHouseTestSupport.count(rows) >= check.recordedGaps());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // a shortfall, asserted by the scenario
    }
    return new GapResult(check, ClickHouseTestSupport.count(rows));
  }

  /** A gap check and the gap rows ClickHouse holds. */
  record GapResult(GapCheck check, long inClickHouse) {
  }

  @Override
  public void close() throws InterruptedException {
    if (service != null) {
      service.close();
    }
    try {
      ClickHouseTestSupport.dropDatabase(database);
    } catch (RuntimeException e) {
      // the row is written; a database left behind does not change it
    }
    vertx.undeploy(emulator.deploymentID()).await();
  }
}
