package dev.finnhubstream.reliability;

import static dev.finnhubstream.reliability.ScenarioRun.millisUntil;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.emulator.DropMode;
import dev.finnhubstream.emulator.EmulatedTrade;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.MalformedKind;
import dev.finnhubstream.emulator.Silence;
import dev.finnhubstream.emulator.SubscriptionLedger;
import dev.finnhubstream.reliability.ScenarioRun.Counts;
import dev.finnhubstream.support.LocalBroker;
import dev.finnhubstream.support.RealBrokerTest;
import dev.finnhubstream.support.ServiceProcess;
import dev.finnhubstream.support.TradeChecks;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reliability suite: every fault of issue 10 against the fat jar, the emulator, the real broker and ClickHouse
 * 18.16, one scenario per test, each writing its row of the reliability table (then asserting its promise). CI runs
 * the short form; {@code ci/soak.sh} runs it with {@code -Dreliability.scale=soak}: more trades, longer faults, the
 * full two-minute broker outage. The table is logged at the end and kept in {@code target/reliability/table.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReliabilityIT extends RealBrokerTest {

  private static final Logger LOGGER = LoggerFactory.getLogger(ReliabilityIT.class);
  private static final Path RUNS = Path.of("target", "reliability-runs");
  private static final String SYMBOLS = "AAPL,MSFT,BINANCE:BTCUSDT,OANDA:EUR_USD,IC MARKETS:1";
  /** The service's closing log line: trades received by the writer (GracefulShutdownIT reads the same line). */
  private static final String STOPPED = "Kafka writer stopped: received (\\d+) trades";
  /** Fast reconnects, so a fault's recovery shows the service's reaction rather than a long production backoff. */
  private static final Map<String, Object> FAST_RECONNECT = Map.of("reconnect_initial_ms", 100, "reconnect_max_ms", 1_000,
    "reconnect_stable_ms", 5_000, "rejected_key_retry_ms", 1_000);

  /**
   * The parameters of one form of the suite.
   *
   * @param trades        trades per scenario (the stream's length)
   * @param rate          trades per second the emulator sends
   * @param faults        how many times a repeated fault (disconnect, reset, huge frame) happens
   * @param faultMs       length of a timed fault (silence, 401 storm)
   * @param outageMs      how long the broker is unreachable
   * @param hugeFrameBytes size of each several-MB frame
   */
  record Scale(String name, int trades, int rate, int faults, long faultMs, long outageMs, int hugeFrameBytes) {

    static Scale of(String name) {
      return switch (name) {
        case "short" -> new Scale(name, 20_000, 2_000, 4, 5_000, 20_000, 2 << 20);
        case "soak" -> new Scale(name, 200_000, 5_000, 10, 30_000, 120_000, 5 << 20);
        default -> throw new IllegalArgumentException("reliability.scale must be short or soak, got " + name);
      };
    }

    /** Time for the emulator to send {@code n} trades at the rate, with a generous margin for a shared machine. */
    Duration sending(long n) {
      return Duration.ofSeconds(60 + 3 * n / rate);
    }
  }

  private static final Scale SCALE = Scale.of(System.getProperty("reliability.scale", "short"));
  /**
   * How far a recorded gap's start or end may be from the emulator's record of the subscription (docs/gaps.md): the
   * service opens a gap when it learns of the close and ends it when it sends the subscribe, the emulator when it
   * closes or drops the socket and when the subscribe arrives. A crash's gap starts at the last checkpoint, up to
   * {@code CrashCheckpoint.EVERY_MS} (200 ms) before the kill, and may be that much earlier besides.
   */
  private static final long GAP_TOLERANCE_MS = 500;
  private static final long CRASH_GAP_TOLERANCE_MS = GAP_TOLERANCE_MS + 200;

  /** What a scenario fills in; -1 = not measured. */
  static final class Row {
    String scenario = "";
    long sent = -1;
    long inKafka = -1;
    long inClickHouse = -1;
    long missing = -1;
    long duplicated = -1;
    long deadLettered = -1;
    long dropped = -1;
    long recoveryMs = -1;
    final StringBuilder notes = new StringBuilder();

    /** The counts columns; missing as sent-based unless the scenario overrides it. */
    void counts(Counts c) {
      sent = c.sent();
      inKafka = c.inKafka();
      inClickHouse = c.inClickHouse();
      missing = c.missing();
      duplicated = c.duplicated();
      deadLettered = c.deadLettered();
    }

    Row note(String format, Object... args) {
      notes.append(notes.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, format, args));
      return this;
    }
  }

  @FunctionalInterface
  interface Body {
    void run(Row row, SoftAssertions soft) throws Exception;
  }

  @BeforeAll
  static void announce() {
    LOGGER.info("Reliability suite, scale {}: {}", SCALE.name(), SCALE);
  }

  @AfterAll
  static void printTable() {
    LOGGER.info("Reliability table ({} form; target/reliability/table.md):\n{}", SCALE.name(),
      ReliabilityTable.writeTable(ScenarioResult.DIR));
  }

  /** Runs one scenario and writes its row whatever happens, then fails the test if a promise did not hold. */
  private static void scenario(String group, String id, String promise, Body body) throws Exception {
    Row row = new Row();
    SoftAssertions soft = new SoftAssertions();
    Throwable failure = null;
    try {
      body.run(row, soft);
    } catch (Throwable t) {
      failure = t;
    }
    boolean passed = failure == null && soft.errorsCollected().isEmpty();
    if (failure != null) {
      row.note("Aborted: %s", String.valueOf(failure.getMessage()).lines().findFirst().orElse(failure.toString()));
    }
    soft.errorsCollected().forEach(e -> row.note("Failed: %s", String.valueOf(e.getMessage()).lines()
      .filter(l -> !l.isBlank()).limit(3).collect(Collectors.joining(" "))));
    new ScenarioResult(group, id, row.scenario, promise, row.sent, row.inKafka, row.inClickHouse, row.missing, row.duplicated,
      row.deadLettered, row.dropped, row.recoveryMs, -1, passed, row.notes.toString()).write();
    if (failure instanceof Exception e) {
      throw e;
    } else if (failure instanceof Error e) {
      throw e;
    }
    soft.assertAll();
  }

  private ScenarioRun run(String id, EmulatorOptions emulator, String symbols, Map<String, Object> finnhub,
                          Map<String, Object> kafka) {
    return new ScenarioRun(vertx, RUNS, id, emulator, symbols, finnhub, kafka);
  }

  private static EmulatorOptions stream(long total) {
    return EmulatorOptions.defaults().withTradesPerSecond(SCALE.rate()).withTotalTrades(total).withMaxTradesPerFrame(8)
      .withPingIntervalMs(1_000);
  }

  /** Waits until every trade the writer received is acknowledged (or counted failed or dropped), none in flight or on disk. */
  private static void awaitDelivered(ScenarioRun run, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
      JsonObject sink = run.sink();
      JsonObject disk = sink.getJsonObject("disk_buffer");
      return sink.getLong("acked") + sink.getLong("failed") + disk.getLong("dropped") >= sink.getLong("received")
        && sink.getLong("in_flight_records") == 0 && disk.getLong("records") == 0;
    });
  }

  /** Exactly once against what was sent: nothing missing, nothing extra, no duplicate, all in ClickHouse, in order. */
  private static void assertExactlyOnce(SoftAssertions soft, Counts c) {
    soft.assertThat(c.missing()).as("trades sent and missing from Kafka").isZero();
    soft.assertThat(c.unexpected()).as("records in Kafka matching no sent trade").isZero();
    soft.assertThat(c.duplicated()).as("duplicate records in Kafka").isZero();
    soft.assertThat(c.inClickHouse()).as("distinct trades in ClickHouse").isEqualTo(c.sent());
  }

  private static void assertInOrder(SoftAssertions soft, Counts c, List<EmulatedTrade> sent) {
    soft.check(() -> TradeChecks.assertSameBySymbol(c.records(), sent));
  }

  /** The end of an exactly-once scenario: the stream sent and delivered, counted, and the promise checked. */
  private static Counts deliveredExactlyOnce(ScenarioRun run, Row row, SoftAssertions soft, long total) {
    run.awaitSent(total, SCALE.sending(total));
    awaitDelivered(run, Duration.ofMinutes(3));
    Counts c = run.measure(total, 0);
    row.counts(c);
    row.dropped = run.sink().getJsonObject("disk_buffer").getLong("dropped_trades");
    assertExactlyOnce(soft, c);
    assertInOrder(soft, c, run.emulator.sentTrades());
    return c;
  }

  /**
   * The gap records match the emulator's record of when it streamed each symbol, no trade arrived inside a gap,
   * every gap is a row in ClickHouse, and one of {@code reasons} is among the gaps' reasons; noted in the row.
   */
  private static void gapsMatch(ScenarioRun run, Row row, SoftAssertions soft, Counts c, boolean openAllowed, String... reasons) {
    ScenarioRun.GapResult r = run.checkGaps(c.records(), openAllowed, GAP_TOLERANCE_MS, CRASH_GAP_TOLERANCE_MS);
    row.note("%s %d gap rows in ClickHouse.", r.check().summary(), r.inClickHouse());
    soft.assertThat(r.check().problems()).as("gap records vs the emulator's record of its subscriptions").isEmpty();
    soft.assertThat(r.check().reasons().keySet()).as("gap reasons").containsAnyOf(reasons);
    soft.assertThat(r.inClickHouse()).as("gap rows in ClickHouse (feed_gaps FINAL)").isEqualTo(r.check().recordedGaps());
  }

  /** Ends a fault; returns the milliseconds from then to the first trade Kafka acknowledges. */
  private static long firstAckAfter(ScenarioRun run, Runnable endOfFault) {
    long acked = run.acked();
    endOfFault.run();
    return millisUntil(Duration.ofMinutes(1), () -> run.acked() > acked);
  }

  /** The longest gap between the emulator seeing a connection close and the next one open. */
  private static long worstReconnectMs(ScenarioRun run) {
    List<Long> opened = run.emulator.connectionOpenedAtMs();
    List<Long> closed = run.emulator.connectionClosedAtMs();
    long worst = -1;
    for (int i = 0; i + 1 < opened.size() && i < closed.size(); i++) {
      worst = Math.max(worst, opened.get(i + 1) - closed.get(i));
    }
    return worst;
  }

  // ---- Finnhub side ----

  @Test
  @Order(1)
  @DisplayName("Finnhub: abrupt disconnects every N trades: every trade exactly once, in order")
  void abruptDisconnects() throws Exception {
    int every = SCALE.trades() / SCALE.faults();
    scenario("Finnhub", "finnhub-1-abrupt-disconnects", "every trade exactly once, in order per symbol", (row, soft) -> {
      row.scenario = String.format(Locale.ROOT, "abrupt disconnect (TCP FIN, no close frame) every %,d trades", every);
      try (ScenarioRun run = run("finnhub-abrupt", stream(SCALE.trades()).withDisconnectEveryTrades(every), SYMBOLS, FAST_RECONNECT, Map.of())) {
        run.start(null);
        Counts c = deliveredExactlyOnce(run, row, soft, SCALE.trades());
        JsonObject connection = run.connection();
        row.recoveryMs = worstReconnectMs(run);
        row.note("Recovery: the longest gap from a disconnect to the next connection (%d reconnects).", connection.getLong("reconnects"));
        soft.assertThat(connection.getLong("reconnects")).as("reconnects").isGreaterThanOrEqualTo(SCALE.faults() - 1);
        soft.assertThat(run.emulator.maxConcurrentConnectionsPerToken()).as("connections at once").isEqualTo(1);
        gapsMatch(run, row, soft, c, false, "disconnected");
      }
    });
  }

  @Test
  @Order(1)
  @DisplayName("Finnhub: a server that drops the connection every second: each reconnect waits the initial delay, every trade exactly once")
  void flappingServer() throws Exception {
    int every = SCALE.rate(); // about one second of the stream per connection
    scenario("Finnhub", "finnhub-1b-flapping", "every trade exactly once; a connection that delivered trades restarts the backoff",
      (row, soft) -> {
        row.scenario = String.format(Locale.ROOT, "server drops the connection after every %,d trades (~1 s), production backoff settings", every);
        // The production settings (reconnect_stable_ms 60 s): without the reset the delays would climb to the cap.
        try (ScenarioRun run = run("finnhub-flapping", stream(SCALE.trades()).withDisconnectEveryTrades(every), SYMBOLS, Map.of(), Map.of())) {
          run.start(null);
          deliveredExactlyOnce(run, row, soft, SCALE.trades());
          List<Long> opened = run.emulator.connectionOpenedAtMs();
          List<Long> closed = run.emulator.connectionClosedAtMs();
          long waited = 0;
          for (int i = 0; i + 1 < opened.size() && i < closed.size(); i++) {
            waited += opened.get(i + 1) - closed.get(i);
          }
          long window = closed.get(closed.size() - 1) - opened.get(0);
          row.recoveryMs = worstReconnectMs(run);
          long initial = new JsonObject(Files.readString(Path.of("conf/app.json"))).getJsonObject("common")
            .getJsonObject("finnhub").getLong("reconnect_initial_ms");
          row.note("Recovery: the longest gap from a drop to the next connection, over %d reconnects; %,d of %,d ms spent waiting.",
            opened.size() - 1, waited, window);
          soft.assertThat(opened.size() - 1).as("reconnects").isGreaterThanOrEqualTo(SCALE.trades() / every - 1);
          soft.assertThat(row.recoveryMs).as("worst gap: the initial delay (%d ms) plus a handshake", initial).isLessThan(initial + 1_000);
          soft.assertThat(run.emulator.maxConcurrentConnectionsPerToken()).as("connections at once").isEqualTo(1);
        }
      });
  }

  @Test
  @Order(2)
  @DisplayName("Finnhub: TCP resets: every trade received exactly once")
  void tcpResets() throws Exception {
    scenario("Finnhub", "finnhub-2-tcp-resets", "every trade received exactly once; a reset loses only what the socket had not delivered",
      (row, soft) -> {
        row.scenario = String.format(Locale.ROOT, "TCP reset (RST) %d times in %,d trades", SCALE.faults(), SCALE.trades());
        try (ScenarioRun run = run("finnhub-rst", stream(SCALE.trades()), SYMBOLS, FAST_RECONNECT, Map.of())) {
          run.start(null);
          long sentAtReset = 0;
          for (int i = 1; i <= SCALE.faults(); i++) {
            run.awaitSent((long) i * SCALE.trades() / (SCALE.faults() + 1), SCALE.sending(SCALE.trades()));
            // Each reset hits a streaming connection: the one that came after the previous reset, with trades on it
            // (a client subscribed), never the gap between two connections, where a reset would find nothing to drop.
            long afterPrevious = sentAtReset;
            await().atMost(SCALE.sending(SCALE.trades())).pollInterval(Duration.ofMillis(20)).until(() ->
              run.emulator.openConnections() == 1 && run.emulator.tradesSent() > afterPrevious);
            sentAtReset = run.emulator.tradesSent();
            run.emulator.dropConnections(DropMode.RESET).await();
          }
          run.awaitSent(SCALE.trades(), SCALE.sending(SCALE.trades()));
          awaitDelivered(run, Duration.ofMinutes(2));
          long received = run.sink().getLong("received");
          Counts c = run.measure(received, 0);
          row.counts(c);
          row.missing = received - (c.distinctInKafka() - c.unexpected());
          row.dropped = run.sink().getJsonObject("disk_buffer").getLong("dropped_trades");
          row.recoveryMs = worstReconnectMs(run);
          row.note("Missing counts received trades (%,d) absent from Kafka; %,d trades the emulator wrote were discarded with its"
            + " socket buffer by the resets and never received (Finnhub has no replay). Recovery: longest reset-to-reconnect gap.",
            received, c.missing());
          soft.assertThat(row.missing).as("received trades missing from Kafka").isZero();
          soft.assertThat(c.unexpected()).as("records matching no sent trade").isZero();
          soft.assertThat(c.duplicated()).as("duplicates").isZero();
          soft.assertThat(c.inClickHouse()).as("distinct trades in ClickHouse").isEqualTo(c.distinctInKafka());
          JsonObject connection = run.connection();
          soft.assertThat(run.emulator.connectionDroppedAtMs()).as("connections reset").hasSize(SCALE.faults());
          soft.assertThat(connection.getLong("reconnects"))
            .as("reconnects (the connection's counters %s; the emulator's connections opened at %s, reset at %s)",
              connection.getJsonObject("counters"), run.emulator.connectionOpenedAtMs(), run.emulator.connectionDroppedAtMs())
            .isGreaterThanOrEqualTo(SCALE.faults());
        }
      });
  }

  @Test
  @Order(3)
  @DisplayName("Finnhub: silence with pings only: the connection is kept and trades resume")
  void silenceWithPings() throws Exception {
    long watchdogMs = SCALE.faultMs() / 2;
    scenario("Finnhub", "finnhub-3-silence-pings", "pings keep the connection: no reconnect, trades resume, exactly once",
      (row, soft) -> {
        row.scenario = String.format(Locale.ROOT, "%d s of pings only (no trades), watchdog %d s", SCALE.faultMs() / 1000, watchdogMs / 1000);
        Map<String, Object> finnhub = Map.of("watchdog_ms", watchdogMs);
        try (ScenarioRun run = run("finnhub-pings", stream(SCALE.trades()), SYMBOLS, finnhub, Map.of())) {
          run.start(null);
          run.awaitSent(SCALE.trades() / 2, SCALE.sending(SCALE.trades()));
          run.emulator.setSilence(Silence.PINGS_ONLY);
          Thread.sleep(SCALE.faultMs());
          row.recoveryMs = firstAckAfter(run, () -> run.emulator.setSilence(Silence.NONE));
          deliveredExactlyOnce(run, row, soft, SCALE.trades());
          JsonObject connection = run.connection();
          row.note("Recovery: end of the silence to the first trade acknowledged by Kafka after it.");
          soft.assertThat(connection.getLong("reconnects")).as("reconnects").isZero();
          soft.assertThat(connection.getJsonObject("counters").getLong("watchdog_trips")).as("watchdog trips").isZero();
        }
      });
  }

  @Test
  @Order(4)
  @DisplayName("Finnhub: silence without pings: the watchdog replaces the dead connection")
  void silenceWithoutPings() throws Exception {
    long watchdogMs = 3_000;
    scenario("Finnhub", "finnhub-4-silence-total", "a silent connection is replaced after watchdog_ms; exactly once",
      (row, soft) -> {
        row.scenario = String.format(Locale.ROOT, "total silence (no trades, no pings, no pongs) for %d s, watchdog %d s",
          SCALE.faultMs() / 1000, watchdogMs / 1000);
        Map<String, Object> finnhub = new java.util.HashMap<>(FAST_RECONNECT);
        finnhub.put("watchdog_ms", watchdogMs);
        try (ScenarioRun run = run("finnhub-silent", stream(SCALE.trades()), SYMBOLS, finnhub, Map.of())) {
          run.start(null);
          run.awaitSent(SCALE.trades() / 2, SCALE.sending(SCALE.trades()));
          run.emulator.setSilence(Silence.TOTAL);
          long silencedAt = System.nanoTime();
          long trippedAfterMs = millisUntil(Duration.ofMinutes(1),
            () -> run.connection().getJsonObject("counters").getLong("watchdog_trips") > 0);
          Thread.sleep(Math.max(0, SCALE.faultMs() - (System.nanoTime() - silencedAt) / 1_000_000));
          row.recoveryMs = firstAckAfter(run, () -> run.emulator.setSilence(Silence.NONE));
          deliveredExactlyOnce(run, row, soft, SCALE.trades());
          JsonObject connection = run.connection();
          row.note("The watchdog tripped %.1f s into the silence (%d trips). Recovery: end of the silence to the first trade"
            + " acknowledged after it.", trippedAfterMs / 1000.0, connection.getJsonObject("counters").getLong("watchdog_trips"));
          soft.assertThat(trippedAfterMs).as("watchdog detection time, ms").isLessThan(watchdogMs + 20_000);
        }
      });
  }

  @Test
  @Order(5)
  @DisplayName("Finnhub: 1% malformed frames: every valid trade once, every bad frame counted and dead-lettered")
  void malformedFrames() throws Exception {
    scenario("Finnhub", "finnhub-5-malformed-frames",
      "every valid trade exactly once; every bad frame counted; unparseable frames and invalid trades dead-lettered", (row, soft) -> {
        row.scenario = "1 % malformed frames (6 kinds)";
        try (ScenarioRun run = run("finnhub-malformed", stream(SCALE.trades()).withMalformedFrameRatio(0.01), SYMBOLS, Map.of(), Map.of())) {
          run.start(null);
          run.awaitSent(SCALE.trades(), SCALE.sending(SCALE.trades()));
          awaitDelivered(run, Duration.ofMinutes(2));
          await().atMost(Duration.ofMinutes(1)).until(() -> {
            JsonObject dl = run.sink().getJsonObject("dead_letters");
            return dl.getLong("acked") >= dl.getLong("received");
          });
          JsonObject counters = run.connection().getJsonObject("counters");
          long expectedDeadLetters = counters.getLong("malformed_frames") + counters.getLong("rejected_trades");
          Counts c = run.measure(SCALE.trades(), expectedDeadLetters);
          row.counts(c);
          row.dropped = run.sink().getJsonObject("disk_buffer").getLong("dropped_trades");
          Map<MalformedKind, Long> bad = run.emulator.malformedFramesSentByKind();
          row.note("%d malformed frames sent %s; the service counted %d unparseable, %d unknown, %d empty, %d invalid trades;"
              + " dead letters are the unparseable frames and the invalid trades.", run.emulator.malformedFramesSent(), bad,
            counters.getLong("malformed_frames"), counters.getLong("unknown_frames"), counters.getLong("empty_trade_frames"),
            counters.getLong("rejected_trades"));
          assertExactlyOnce(soft, c);
          assertInOrder(soft, c, run.emulator.sentTrades());
          soft.assertThat(run.emulator.malformedFramesSent()).as("malformed frames sent").isPositive();
          soft.assertThat(counters.getLong("malformed_frames")).as("unparseable frames counted")
            .isEqualTo(bad.get(MalformedKind.TRUNCATED_JSON) + bad.get(MalformedKind.NAN));
          soft.assertThat(counters.getLong("unknown_frames")).isEqualTo(bad.get(MalformedKind.UNKNOWN_TYPE));
          soft.assertThat(counters.getLong("empty_trade_frames")).isEqualTo(bad.get(MalformedKind.EMPTY_DATA));
          soft.assertThat(counters.getLong("rejected_trades")).as("invalid trades counted")
            .isGreaterThanOrEqualTo(bad.get(MalformedKind.WRONG_TYPES) + bad.get(MalformedKind.MISSING_FIELDS));
          soft.assertThat(c.deadLettered()).as("records in the dead-letter topic").isEqualTo(expectedDeadLetters);
        }
      });
  }

  @Test
  @Order(6)
  @DisplayName("Finnhub: several-MB frames: taken whole, every trade once")
  void hugeFrames() throws Exception {
    int frames = Math.min(SCALE.faults(), 4);
    // Budget: the stream plus the huge frames (a trade takes about 60 bytes of a frame; the emulator refuses a frame
    // beyond the budget, and streams what a frame leaves of it at the normal rate).
    long total = SCALE.trades() + (long) frames * SCALE.hugeFrameBytes() / 50;
    scenario("Finnhub", "finnhub-6-huge-frames", "frames up to max_message_bytes (16 MiB) taken whole; exactly once", (row, soft) -> {
      row.scenario = String.format(Locale.ROOT, "%d frames of %d MB each in the stream", frames, SCALE.hugeFrameBytes() >> 20);
      try (ScenarioRun run = run("finnhub-huge", stream(total), SYMBOLS, Map.of(), Map.of())) {
        run.start(null);
        long before = 0;
        List<String> perFrame = new java.util.ArrayList<>();
        for (int i = 1; i <= frames; i++) {
          run.awaitSent(before + SCALE.trades() / (frames + 1), SCALE.sending(total));
          long sentBefore = run.emulator.tradesSent();
          run.emulator.sendHugeFrame(SCALE.hugeFrameBytes()).await();
          before = run.emulator.tradesSent();
          perFrame.add(String.format(Locale.ROOT, "%,d", before - sentBefore));
        }
        row.note("Trades per huge frame: %s.", String.join(", ", perFrame));
        deliveredExactlyOnce(run, row, soft, total);
        soft.assertThat(run.connection().getLong("reconnects")).as("reconnects").isZero();
      }
    });
  }

  @Test
  @Order(7)
  @DisplayName("Finnhub: 401 storm: retries paced by rejected_key_retry_ms, resumes alone, nothing lost")
  void unauthorizedStorm() throws Exception {
    scenario("Finnhub", "finnhub-7-401-storm", "retries paced by rejected_key_retry_ms; resumes alone; exactly once", (row, soft) -> {
      row.scenario = String.format(Locale.ROOT, "every handshake answered 401 for %d s (rejected_key_retry_ms 1 s)", SCALE.faultMs() / 1000);
      try (ScenarioRun run = run("finnhub-401", stream(SCALE.trades()), SYMBOLS, FAST_RECONNECT, Map.of())) {
        run.start(null);
        run.awaitSent(SCALE.trades() / 3, SCALE.sending(SCALE.trades()));
        run.emulator.setHandshakeRejection(401);
        run.emulator.dropConnections(DropMode.ABRUPT).await();
        Thread.sleep(SCALE.faultMs());
        long rejected = run.emulator.handshakesRejected();
        row.recoveryMs = firstAckAfter(run, () -> run.emulator.setHandshakeRejection(0));
        Counts c = deliveredExactlyOnce(run, row, soft, SCALE.trades());
        row.note("%d handshakes rejected in %d s. Recovery: end of the storm to the first trade acknowledged (includes waiting out"
          + " rejected_key_retry_ms).", rejected, SCALE.faultMs() / 1000);
        soft.assertThat(rejected).as("handshakes rejected").isGreaterThanOrEqualTo(2)
          .isLessThanOrEqualTo(SCALE.faultMs() / 800 + 2); // one per rejected_key_retry_ms (1 s, -20 % at the shortest)
        gapsMatch(run, row, soft, c, false, "key_rejected");
      }
    });
  }

  @Test
  @Order(8)
  @DisplayName("Finnhub: symbol cap errors: symbols within the cap stream, the others are reported, no reconnect loop")
  void symbolCap() throws Exception {
    int cap = 3;
    scenario("Finnhub", "finnhub-8-symbol-cap", "symbols within the cap stream exactly once; the rest reported over_cap; no reconnect loop",
      (row, soft) -> {
        row.scenario = String.format(Locale.ROOT, "5 symbols, Finnhub caps the key at %d", cap);
        try (ScenarioRun run = run("finnhub-cap", stream(SCALE.trades()).withSymbolCap(cap), SYMBOLS, Map.of(), Map.of())) {
          run.start(null);
          Counts c = deliveredExactlyOnce(run, row, soft, SCALE.trades());
          JsonObject connection = run.connection();
          row.note("Subscribed %s; reported over cap: %s; %d cap errors.", connection.getJsonArray("subscribed"),
            connection.getValue("over_cap"), connection.getJsonObject("counters").getLong("cap_errors"));
          soft.assertThat(run.emulator.subscribedSymbols()).as("symbols Finnhub streams").hasSize(cap);
          soft.assertThat(connection.getJsonObject("counters").getLong("cap_errors")).as("cap errors").isPositive();
          soft.assertThat(String.valueOf(connection.getValue("over_cap"))).as("over_cap in /status").isNotIn("null", "{}", "[]");
          soft.assertThat(connection.getLong("reconnects")).as("reconnects").isZero();
          // The over-cap symbols' recorded gaps end when they go over cap: they are the start-up gaps (starting, or
          // crashed/service_stopped when target/ holds the directory of an earlier, interrupted run).
          gapsMatch(run, row, soft, c, true, "starting", "crashed", "service_stopped");
          // Every symbol the connection holds over cap has an open over_cap gap. (Gaps follow what the service believes is
          // subscribed: Finnhub acknowledges nothing, so a cap error blamed on the wrong symbol shows in both alike.)
          JsonObject gaps = run.service().status().getJsonObject("gaps");
          soft.assertThat(gaps.getJsonArray("open").stream().map(JsonObject.class::cast)
              .filter(g -> "over_cap".equals(g.getString("reason"))).flatMap(g -> g.getJsonArray("symbols").stream()).toList())
            .as("open over_cap gaps on /status").containsExactlyInAnyOrderElementsOf(connection.getJsonObject("over_cap").fieldNames())
            .isNotEmpty();
        }
      });
  }

  @Test
  @Order(9)
  @DisplayName("Finnhub: a key revoked, then restored: its symbols move to the other keys and back, never subscribed twice")
  void revokedKeyReshards() throws Exception {
    long reshardAfterMs = 3_000;
    long total = 40_000; // 20 s at 2,000/s: the revocation, the move, the restoration and the move back fit in it
    List<String> moved = List.of("MSFT", "IC MARKETS:1"); // key-2's shard of the six symbols, round-robin
    scenario("Finnhub", "finnhub-9-reshard", "a refused key's symbols held by the other keys after reshard_after_ms and back after;"
      + " never two subscriptions at once; exactly once", (row, soft) -> {
        row.scenario = String.format(Locale.ROOT, "3 keys, key-2 revoked (401) for ~8 s, reshard_after_ms %d ms", reshardAfterMs);
        Map<String, Object> finnhub = new java.util.HashMap<>(FAST_RECONNECT);
        finnhub.put("reshard_after_ms", reshardAfterMs);
        try (ScenarioRun run = new ScenarioRun(vertx, RUNS, "finnhub-reshard", EmulatorOptions.defaults().withTradesPerSecond(2_000)
          .withTotalTrades(total).withMaxTradesPerFrame(8).withPingIntervalMs(1_000),
          SYMBOLS + ",AMZN", finnhub, Map.of(), 3)) {
          run.start(null);
          await().atMost(Duration.ofSeconds(30)).until(() -> run.emulator.subscribedSymbols().size() == 6);
          run.emulator.setTokenRevoked(ScenarioRun.token(1), true).await();
          await().atMost(Duration.ofSeconds(30)).until(() -> run.emulator.subscribedSymbols().containsAll(moved));
          JsonObject home = run.connection(1);
          soft.assertThat(home.getJsonArray("lent").getList()).as("key-2 lent").containsExactlyInAnyOrderElementsOf(moved);
          soft.assertThat(home.getLong("lent_since_ms") - home.getLong("unusable_since_ms")).as("lent after reshard_after_ms")
            .isGreaterThanOrEqualTo(reshardAfterMs);
          JsonObject borrowed = run.connection(0).getJsonObject("borrowed").mergeIn(run.connection(2).getJsonObject("borrowed"));
          soft.assertThat(borrowed.getMap()).as("borrowed by key-1 and key-3").containsOnlyKeys(moved.toArray(String[]::new));
          Thread.sleep(3_000); // trades for the moved symbols on their borrowers
          run.emulator.setTokenRevoked(ScenarioRun.token(1), false).await();
          await().atMost(Duration.ofSeconds(30)).until(() -> run.connection(1).getJsonArray("subscribed").getList().containsAll(moved)
            && run.connection(1).getJsonArray("lent").isEmpty());
          soft.assertThat(run.connection(0).getJsonObject("borrowed")).as("key-1 borrows nothing after").isEmpty();
          soft.assertThat(run.connection(2).getJsonObject("borrowed")).as("key-3 borrows nothing after").isEmpty();
          deliveredExactlyOnce(run, row, soft, total);

          soft.assertThat(run.emulator.subscriptions().subscribedTwice()).as("symbols subscribed on two connections at once").isEmpty();
          long worstOut = 0;
          long worstBack = 0;
          for (String symbol : moved) {
            List<SubscriptionLedger.Interval> held = run.emulator.subscriptions().intervals(symbol);
            soft.assertThat(held).as("%s: home, borrower, home", symbol).hasSize(3);
            if (held.size() != 3) {
              continue;
            }
            SubscriptionLedger.Interval borrower = held.get(1);
            worstOut = Math.max(worstOut, borrower.fromMs() - held.get(0).toMs());
            worstBack = Math.max(worstBack, held.get(2).fromMs() - borrower.toMs());
            long onBorrower = run.emulator.sentTrades().stream()
              .filter(t -> t.symbol().equals(symbol) && t.t() > borrower.fromMs() && t.t() < borrower.toMs()).count();
            soft.assertThat(onBorrower).as("%s trades sent (and, exactly once, in Kafka) while borrowed", symbol).isPositive();
          }
          row.recoveryMs = worstBack;
          row.note("Without a subscription: %d ms on the move out (reshard_after_ms %d included), %d ms on the move back;"
            + " no symbol subscribed twice (emulator ledger). Recovery: the move back.", worstOut, reshardAfterMs, worstBack);
          LOGGER.info("Re-sharding: without a subscription {} ms on the move out ({} ms of it reshard_after_ms), {} ms on the move back",
            worstOut, reshardAfterMs, worstBack);
          soft.assertThat(run.emulator.maxConcurrentConnectionsPerToken()).as("connections per key at once").isEqualTo(1);
        }
      });
  }

  // ---- Kafka side ----

  @Test
  @Order(11)
  @DisplayName("Kafka: broker kill -9 and restart mid-stream: every trade exactly once, in order")
  void brokerKill9() throws Exception {
    long total = SCALE.trades() * 2L;
    scenario("Kafka", "kafka-1-broker-kill9", "every trade exactly once, in order per symbol", (row, soft) -> {
      row.scenario = "broker kill -9, restarted at once, mid-stream";
      try (ScenarioRun run = run("kafka-kill9", stream(total), SYMBOLS, Map.of(), Map.of())) {
        run.start(null);
        run.awaitSent(total / 3, SCALE.sending(total));
        LocalBroker.kill9();
        long acked = run.acked();
        long restart = System.nanoTime();
        LocalBroker.start();
        long brokerStartMs = (System.nanoTime() - restart) / 1_000_000;
        millisUntil(Duration.ofMinutes(3), () -> run.acked() > acked);
        row.recoveryMs = (System.nanoTime() - restart) / 1_000_000;
        long caughtUp = millisUntil(Duration.ofMinutes(3), () -> {
          JsonObject sink = run.sink();
          return "DIRECT".equals(sink.getString("mode")) && sink.getLong("received") - sink.getLong("acked") < SCALE.rate();
        });
        deliveredExactlyOnce(run, row, soft, total);
        JsonObject sink = run.sink();
        row.note("Recovery: broker restart command to the first trade acknowledged after it, of which the broker's own start"
          + " took %.1f s; caught up (direct mode, less than 1 s of trades unacknowledged) %.1f s later; %,d trades went through"
          + " the disk buffer.", brokerStartMs / 1000.0, caughtUp / 1000.0, sink.getJsonObject("disk_buffer").getLong("spilled"));
        soft.assertThat(sink.getLong("failed")).as("failed").isZero();
      } finally {
        LocalBroker.start();
      }
    });
  }

  @Test
  @Order(12)
  @DisplayName("Kafka: broker unreachable: the disk buffer fills and drains, every trade exactly once, in order")
  void brokerUnreachable() throws Exception {
    long total = SCALE.rate() * (SCALE.outageMs() / 1000 + 30);
    scenario("Kafka", "kafka-2-broker-unreachable", "the disk buffer carries the outage: every trade exactly once, in order",
      (row, soft) -> {
        row.scenario = String.format(Locale.ROOT, "broker unreachable for %d s mid-stream (outage_after_ms 2 s)", SCALE.outageMs() / 1000);
        try (ScenarioRun run = run("kafka-outage", stream(total), SYMBOLS, Map.of(), Map.of("outage_after_ms", 2_000))) {
          run.start(null);
          run.awaitSent(SCALE.rate() * 5L, SCALE.sending(total));
          LocalBroker.kill9();
          long down = System.nanoTime();
          await().atMost(Duration.ofSeconds(30)).until(() -> "OUTAGE".equals(run.sink().getString("mode"))
            && run.sink().getJsonObject("disk_buffer").getLong("records") > 0);
          Thread.sleep(Math.max(0, SCALE.outageMs() - (System.nanoTime() - down) / 1_000_000));
          long onDisk = run.sink().getJsonObject("disk_buffer").getLong("records");
          soft.assertThat(run.emulator.tradesSent()).as("the stream goes on through the outage").isLessThan(total);
          long brokerStartMs = restartBroker();
          row.recoveryMs = brokerStartMs + millisUntil(Duration.ofMinutes(5), () -> drained(run));
          deliveredExactlyOnce(run, row, soft, total);
          JsonObject sink = run.sink();
          row.note("%,d trades on disk when the broker was restarted, %,d spilled in all. Recovery: broker restart command to the"
            + " disk buffer drained (direct mode), of which the broker's own start took %.1f s.", onDisk,
            sink.getJsonObject("disk_buffer").getLong("spilled"), brokerStartMs / 1000.0);
          soft.assertThat(onDisk).as("trades on disk at the end of the outage").isPositive();
          soft.assertThat(sink.getLong("outages")).as("outages").isGreaterThanOrEqualTo(1);
          soft.assertThat(sink.getLong("failed")).as("failed").isZero();
          soft.assertThat(row.dropped).as("dropped").isZero();
        } finally {
          LocalBroker.start();
        }
      });
  }

  @Test
  @Order(13)
  @DisplayName("Kafka: full disk buffer: drops counted, equal to what is missing, never silent")
  void diskBufferFull() throws Exception {
    long outageMs = Math.min(SCALE.outageMs(), 30_000);
    long total = SCALE.rate() * (outageMs / 1000 + 20);
    scenario("Kafka", "kafka-3-disk-buffer-full", "trades beyond the disk budget are dropped and counted: dropped = missing",
      (row, soft) -> {
        row.scenario = String.format(Locale.ROOT, "broker unreachable %d s with a 1 MiB disk buffer", outageMs / 1000);
        Map<String, Object> kafka = Map.of("outage_after_ms", 1_000, "disk_buffer_max_bytes", 1 << 20);
        try (ScenarioRun run = run("kafka-full", stream(total), SYMBOLS, Map.of(), kafka)) {
          run.start(null);
          run.awaitSent(SCALE.rate() * 3L, SCALE.sending(total));
          LocalBroker.kill9();
          await().atMost(Duration.ofSeconds(90)).until(() -> run.sink().getJsonObject("disk_buffer").getLong("dropped") > 0);
          Thread.sleep(outageMs);
          long brokerStartMs = restartBroker();
          row.recoveryMs = brokerStartMs + millisUntil(Duration.ofMinutes(5), () -> drained(run));
          run.awaitSent(total, SCALE.sending(total));
          awaitDelivered(run, Duration.ofMinutes(3));
          JsonObject sink = run.sink();
          // Trades only: a gap record written during the outage can be dropped too, and is no trade missing.
          row.dropped = sink.getJsonObject("disk_buffer").getLong("dropped_trades");
          Counts c = run.measure(total - row.dropped, 0);
          row.counts(c);
          row.note("Recovery: broker restart command to the disk buffer drained, of which the broker's own start took %.1f s."
            + " The log reports the drops as they happen.", brokerStartMs / 1000.0);
          soft.assertThat(row.dropped).as("dropped").isPositive();
          soft.assertThat(c.missing()).as("missing trades = dropped trades").isEqualTo(row.dropped);
          soft.assertThat(c.unexpected()).as("records matching no sent trade").isZero();
          soft.assertThat(c.duplicated()).as("duplicates").isZero();
          soft.assertThat(c.inClickHouse()).as("distinct trades in ClickHouse").isEqualTo(c.distinctInKafka());
          soft.assertThat(sink.getLong("failed")).as("failed").isZero();
          soft.assertThat(run.service().log()).as("the drops are logged").contains("Dropped trade");
        } finally {
          LocalBroker.start();
        }
      });
  }

  /** Starts the broker again; returns how long it took to answer. */
  private static long restartBroker() {
    long start = System.nanoTime();
    LocalBroker.start();
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** The outage is over for the writer: writing directly again, nothing left on disk. */
  private static boolean drained(ScenarioRun run) {
    JsonObject sink = run.sink();
    return "DIRECT".equals(sink.getString("mode")) && sink.getJsonObject("disk_buffer").getLong("records") == 0;
  }

  // ---- Service side ----

  /** Stops the stream and waits until everything the service received is in Kafka: a quiet moment for a restart. */
  private static long quiesce(ScenarioRun run) {
    run.emulator.setSilence(Silence.PINGS_ONLY);
    long[] last = {-1};
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
      long sent = run.emulator.tradesSent();
      boolean still = sent == last[0];
      last[0] = sent;
      return still;
    });
    awaitDelivered(run, Duration.ofMinutes(2));
    return run.sink().getLong("received");
  }

  @Test
  @Order(21)
  @DisplayName("Service: SIGTERM mid-stream: nothing received is lost")
  void sigterm() throws Exception {
    long total = SCALE.trades() * 10L;
    scenario("Service", "service-1-sigterm", "exit 0; every trade received before the signal is in Kafka, once", (row, soft) -> {
      row.scenario = "SIGTERM mid-stream, then a restart";
      try (ScenarioRun run = run("service-sigterm", stream(total), SYMBOLS, Map.of(), Map.of())) {
        run.start(null);
        run.awaitSent(SCALE.trades() / 2, SCALE.sending(total));
        long stopStarted = System.nanoTime();
        int exit = run.service().terminate(Duration.ofSeconds(60));
        long stopMs = (System.nanoTime() - stopStarted) / 1_000_000;
        long first = Long.parseLong(run.service().logMatch(STOPPED));
        long restarted = System.nanoTime();
        ServiceProcess second = run.start(null);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> run.acked() > 0);
        row.recoveryMs = (System.nanoTime() - restarted) / 1_000_000;
        run.awaitSent(SCALE.trades(), SCALE.sending(total));
        long secondReceived = quiesce(run);
        long received = first + secondReceived;
        Counts c = run.measure(received, 0);
        row.counts(c);
        row.missing = received - (c.distinctInKafka() - c.unexpected());
        row.dropped = second.sinkStatus().getJsonObject("disk_buffer").getLong("dropped");
        row.note("Missing counts received trades (%,d before the signal, %,d after the restart) absent from Kafka; the emulator"
          + " had written %,d more that the stopping service never read. Shutdown took %.1f s. Recovery: restart of the jar to its"
          + " first trade acknowledged (JVM start included).", first, secondReceived, c.sent() - received, stopMs / 1000.0);
        soft.assertThat(exit).as("exit code after SIGTERM").isZero();
        soft.assertThat(second.sinkStatus().getJsonObject("disk_buffer").getValue("previous_run")).as("crash report after a clean stop")
          .isNull();
        soft.assertThat(row.missing).as("received trades missing from Kafka").isZero();
        soft.assertThat(c.unexpected()).as("records matching no sent trade").isZero();
        soft.assertThat(c.duplicated()).as("duplicates").isZero();
        soft.assertThat(c.inClickHouse()).as("distinct trades in ClickHouse").isEqualTo(c.distinctInKafka());
        gapsMatch(run, row, soft, c, false, "service_stopped");
      }
    });
  }

  @Test
  @Order(22)
  @DisplayName("Service: kill -9 mid-stream: the loss is bounded by what was not yet acknowledged")
  void kill9() throws Exception {
    long total = SCALE.trades() * 10L;
    scenario("Service", "service-2-kill9",
      "loses at most what was received and not yet acknowledged nor on disk, reported at restart; nothing else",
      (row, soft) -> {
        row.scenario = "kill -9 mid-stream, then a restart on the same disk buffer";
        try (ScenarioRun run = run("service-kill9", stream(total), SYMBOLS, Map.of(), Map.of())) {
          run.start(null);
          run.awaitSent(SCALE.trades() / 2, SCALE.sending(total));
          JsonObject last = run.sink();
          run.kill9();
          await().atMost(Duration.ofSeconds(30)).until(() -> run.emulator.openConnections() == 0);
          long sentByKill = run.emulator.tradesSent();
          long ackedAtLastLook = last.getLong("acked");
          long restarted = System.nanoTime();
          ServiceProcess second = run.start(null);
          await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> run.acked() > 0);
          row.recoveryMs = (System.nanoTime() - restarted) / 1_000_000;
          run.awaitSent(SCALE.trades(), SCALE.sending(total));
          quiesce(run);
          // At least what Kafka acknowledged to either process; the read then waits 5 s more for anything beyond.
          Counts c = run.measure(ackedAtLastLook + run.acked(), 0);
          row.counts(c);
          row.dropped = second.sinkStatus().getJsonObject("disk_buffer").getLong("dropped");
          long bound = sentByKill - ackedAtLastLook;
          JsonObject report = second.sinkStatus().getJsonObject("disk_buffer").getJsonObject("previous_run");
          row.note("Lost %,d trades; bound: %,d = trades sent to the killed process (%,d) minus those Kafka had acknowledged at the"
            + " last /status before the kill (%,d received, %,d unacknowledged then). The restart reported the crash: %s."
            + " Recovery: restart to the first trade acknowledged.", c.missing(), bound, sentByKill, last.getLong("received"),
            last.getLong("received") - ackedAtLastLook, report == null ? "nothing" : report.encode());
          soft.assertThat(report).as("/status kafka.disk_buffer.previous_run after the restart").isNotNull();
          if (report != null) {
            soft.assertThat(report.getLong("received")).as("received at the last checkpoint").isBetween(1L, sentByKill);
            soft.assertThat(report.getLong("held_in_memory")).as("held in memory at the last checkpoint").isNotNegative();
          }
          soft.assertThat(second.log()).as("the restart logs the crash").contains("previous run stopped without a clean shutdown");
          soft.assertThat(c.missing()).as("trades lost").isLessThanOrEqualTo(bound);
          soft.assertThat(c.unexpected()).as("records matching no sent trade").isZero();
          soft.assertThat(c.duplicated()).as("duplicates").isZero();
          soft.assertThat(c.inClickHouse()).as("distinct trades in ClickHouse").isEqualTo(c.distinctInKafka());
          soft.assertThat(c.sent() - c.missing()).as("trades delivered").isPositive();
          gapsMatch(run, row, soft, c, false, "crashed");
        }
      });
  }

  @Test
  @Order(23)
  @DisplayName("Service: restart with a changed symbol list: the new list is streamed, nothing lost or doubled")
  void restartWithOtherSymbols() throws Exception {
    String before = "AAPL,MSFT,BINANCE:BTCUSDT";
    String after = "AAPL,NVDA,IC MARKETS:1";
    scenario("Service", "service-3-symbol-change", "the new list is streamed, the dropped symbols stop; exactly once", (row, soft) -> {
      row.scenario = "SIGTERM, restart with 2 of 3 symbols replaced";
      try (ScenarioRun run = run("service-symbols", stream(SCALE.trades() * 10L), before, Map.of(), Map.of())) {
        run.start(null);
        run.awaitSent(SCALE.trades() / 2, SCALE.sending(SCALE.trades()));
        quiesce(run);
        int sentBefore = (int) run.emulator.tradesSent();
        soft.assertThat(run.service().terminate(Duration.ofSeconds(60))).as("exit code after SIGTERM").isZero();
        long restarted = System.nanoTime();
        run.start(after);
        await().atMost(Duration.ofMinutes(1)).until(() -> run.emulator.subscribedSymbols().size() == 3);
        run.emulator.setSilence(Silence.NONE);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> run.acked() > 0);
        row.recoveryMs = (System.nanoTime() - restarted) / 1_000_000;
        run.awaitSent(SCALE.trades(), SCALE.sending(SCALE.trades()));
        quiesce(run);
        Set<String> streamed = run.emulator.subscribedSymbols();
        List<EmulatedTrade> sent = run.emulator.sentTrades();
        Set<String> symbolsAfter = new HashSet<>();
        sent.subList(sentBefore, sent.size()).forEach(t -> symbolsAfter.add(t.symbol()));
        Counts c = run.measure(sent.size(), 0);
        row.counts(c);
        row.dropped = run.sink().getJsonObject("disk_buffer").getLong("dropped_trades");
        row.note("Symbols streamed after the restart: %s. Recovery: restart of the jar to its first trade acknowledged.", symbolsAfter);
        assertExactlyOnce(soft, c);
        assertInOrder(soft, c, sent);
        soft.assertThat(streamed).as("symbols subscribed after the restart").containsExactlyInAnyOrder(after.split(","));
        soft.assertThat(symbolsAfter).as("symbols of the trades after the restart").isSubsetOf(Set.of(after.split(",")));
      }
    });
  }
}
