package dev.finnhubstream.bench;

import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The delivery benchmark (docs/benchmarks.md), run by {@code bench/run.sh} against a local broker. Each run:
 * <ol>
 *   <li><b>emulator alone</b>: the same full-speed stream into a client that only counts it: the most the
 *   emulator can feed the service on this machine;</li>
 *   <li><b>throughput</b>: the emulator sends {@code --trades} trades as fast as the service reads them; the
 *   service (the fat jar, {@code -Xmx256m}) writes them to a fresh topic. Rate = trades acknowledged per second
 *   after the first third (the JIT compiler's warm-up), from /status; then sent = records in Kafka = acked is
 *   checked;</li>
 *   <li><b>ProducerPerformance</b>: Kafka's own tool sends the same number of records, with values taken
 *   from that topic (same sizes) and the service's producer settings; its steady-state rate, after the same
 *   third as warm-up, is the ceiling to compare against;</li>
 *   <li><b>latency</b>: the emulator sends {@code --latency-rate} trades/s for {@code --latency-seconds};
 *   after {@code --warmup-seconds}, Kafka's LogAppendTime − Finnhub {@code t} per record, and the service's
 *   own acknowledgement − receive and send − acknowledgement histograms (two /status snapshots subtracted);
 *   then the floor: ProducerPerformance at the same rate, for as long, with the same warm-up, the service's
 *   producer settings and payloads from that topic (its steady-state send → acknowledgement p50 / p99);</li>
 *   <li>peak heap (largest heap occupancy the GC log shows) and peak RSS (VmHWM) of the service, which must
 *   exit 0 on SIGTERM; and in both service phases, after the warm-up, CPU µs per acknowledged trade by thread
 *   group (event loops, delivery thread, producer I/O, GC, JIT, other; from /proc/PID/task);</li>
 *   <li>with {@code --peer camel}: the service and the Camel route of {@code bench/camel} side by side
 *   ({@link SideBySide}).</li>
 * </ol>
 * With {@code --fixed-rate-only}, only the latency phase runs: the cheap before/after of CPU per trade at a fixed
 * rate (e.g. {@code --latency-rate 40000}).
 * Medians over the runs are printed and written to {@code <out>/results.md}. With {@code --sweep}, one run
 * per linger.ms / batch.size pair instead: the measurement behind the defaults in {@code conf/app.json}.
 */
public final class DeliveryBenchmark {

  static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "AMZN", "NVDA", "TSLA", "GOOGL", "META", "NFLX",
    "AMD", "INTC", "BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "OANDA:EUR_USD", "OANDA:GBP_USD",
    "OANDA:USD_JPY", "IC MARKETS:1", "IC MARKETS:2", "SPY", "QQQ");
  static final String TOKEN = "bench-token";
  /** ProducerPerformance's summary line for the records after the warm-up. */
  private static final Pattern PP_RATE = Pattern.compile("steady state records sent, ([0-9.]+) records/sec");
  private static final Pattern PP_STEADY_LATENCY = Pattern.compile("steady state records sent, .* (\\d+) ms 50th, \\d+ ms 95th, (\\d+) ms 99th");

  final Options opt;
  private final Vertx vertx = Vertx.vertx();
  private final BenchKafka broker;

  private DeliveryBenchmark(Options opt) {
    this.opt = opt;
    this.broker = new BenchKafka(opt.bootstrap);
  }

  public static void main(String[] args) throws Exception {
    Options opt = Options.parse(args);
    DeliveryBenchmark bench = new DeliveryBenchmark(opt);
    int status;
    try {
      status = opt.sweep ? bench.sweep() : bench.measure();
    } finally {
      bench.broker.close();
      bench.vertx.close().await();
    }
    System.exit(status);
  }

  /** {@code --runs} full runs with the committed settings; prints medians and checks the targets. */
  private int measure() throws Exception {
    JsonObject kafka = BenchKafka.committedKafkaSection(opt.repo);
    int linger = kafka.getInteger("linger_ms");
    int batch = kafka.getInteger("batch_size");
    String compression = kafka.getString("compression_type");
    // --fixed-rate-only is the latency phase alone: no side by side either.
    SideBySide sideBySide = opt.peer && !opt.fixedRateOnly ? new SideBySide(this, broker, opt, linger, batch, compression) : null;
    List<Result> runs = new ArrayList<>();
    for (int i = 1; i <= opt.runs; i++) {
      BenchKafka.log("run %d of %d (linger.ms=%d, batch.size=%d)", i, opt.runs, linger, batch);
      Result r = run(Map.of(), linger, batch, compression, sideBySide);
      BenchKafka.log("run %d: %s", i, r.oneLine());
      BenchKafka.log("run %d: CPU µs/trade by thread, full speed %s; at %d trades/s %s", i, r.fullSpeedCpu, opt.latencyRate, r.fixedRateCpu);
      runs.add(r);
    }
    Result median = Result.median(runs);
    StringBuilder md = new StringBuilder();
    md.append("Delivery benchmark, ").append(opt.runs).append(" runs, medians (").append(opt.trades).append(" trades at full speed; ")
      .append(opt.latencyRate).append(" trades/s for ").append(opt.latencySeconds).append(" s, first ").append(opt.warmupSeconds)
      .append(" s excluded; linger.ms=").append(linger).append(", batch.size=").append(batch).append(")\n\n");
    md.append(Result.tableHeader());
    for (int i = 0; i < runs.size(); i++) {
      md.append(runs.get(i).tableRow("run " + (i + 1)));
    }
    md.append(median.tableRow("**median**"));
    md.append("\nCPU per acknowledged trade after the warm-up, by thread (/proc/PID/task; event loops = Finnhub frames, event bus,"
      + " /status; GC includes the VM thread):\n\n").append(Result.cpuTableHeader());
    for (int i = 0; i < runs.size(); i++) {
      md.append(runs.get(i).cpuTableRows("run " + (i + 1), opt.latencyRate));
    }
    md.append(median.cpuTableRows("**median**", opt.latencyRate));
    md.append(String.format(Locale.ROOT, "%nThe service reached %.0f%% of what the emulator alone can send (%.2f of ProducerPerformance at most).%n",
      100 * median.serviceRate / median.emulatorRate, median.emulatorRate / median.producerPerformanceRate));
    md.append("\nTargets: rate ≥ 50% of ProducerPerformance: ").append(verdict(median.ratio() >= 0.5))
      .append("; p99 ≤ 5 ms at ").append(opt.latencyRate).append(" trades/s (append − t): ").append(verdict(median.appendP99 <= 5))
      .append(String.format(Locale.ROOT, " (%d ms; Kafka's own producer at that rate, same settings and payloads: p99 %d ms send → ack)",
        median.appendP99, median.kafkaFixedP99))
      .append("; heap ≤ 256 MB: ").append(verdict(median.peakHeapMb <= 256)).append('\n');
    if (sideBySide != null) {
      md.append(SideBySide.table(runs.stream().map(r -> r.sideBySide).toList(), opt.peerRate));
    }
    finish(md);
    boolean allVerified = runs.stream().allMatch(r -> r.verified);
    return allVerified ? 0 : 1;
  }

  /** One producer setting of the sweep. */
  private record Setting(int lingerMs, int batchSize, String compression) {
    String label() {
      return "linger.ms=" + lingerMs + ", batch.size=" + batchSize + ", " + compression;
    }
  }

  /** One run per setting: the figures behind the producer defaults. */
  private int sweep() throws Exception {
    List<Setting> settings = List.of(new Setting(0, 65536, "lz4"), new Setting(1, 65536, "lz4"), new Setting(2, 65536, "lz4"),
      new Setting(5, 65536, "lz4"), new Setting(10, 65536, "lz4"), new Setting(2, 16384, "lz4"), new Setting(2, 262144, "lz4"),
      new Setting(2, 65536, "zstd"));
    StringBuilder md = new StringBuilder("Producer settings sweep, one run each (").append(opt.trades)
      .append(" trades at full speed; ").append(opt.latencyRate).append(" trades/s for latency)\n\n");
    md.append(Result.tableHeader());
    for (Setting s : settings) {
      BenchKafka.log("sweep: %s", s.label());
      Map<String, Object> overrides = Map.of("linger_ms", s.lingerMs(), "batch_size", s.batchSize(), "compression_type", s.compression());
      Result r = run(overrides, s.lingerMs(), s.batchSize(), s.compression(), null);
      BenchKafka.log("sweep %s: %s", s.label(), r.oneLine());
      md.append(r.tableRow(s.label()));
    }
    finish(md);
    return 0;
  }

  private void finish(StringBuilder md) throws IOException {
    Files.createDirectories(opt.out);
    Path file = opt.out.resolve(opt.sweep ? "sweep.md" : "results.md");
    Files.writeString(file, md.toString());
    System.out.println();
    System.out.println(md);
    System.out.println("(written to " + file + ")");
  }

  private static String verdict(boolean ok) {
    return ok ? "met" : "MISSED";
  }

  /** One run of every phase; {@code sideBySide} null: without the peer. */
  private Result run(Map<String, Object> kafkaOverrides, int linger, int batch, String compression, SideBySide sideBySide)
    throws Exception {
    Result r = new Result();
    Path dir = Files.createTempDirectory(opt.out.toAbsolutePath().getParent() == null ? Path.of(".") : opt.out.getParent(), "bench-run");
    try {
      Path config = BenchKafka.writeConfig(opt.repo, dir, kafkaOverrides);
      if (!opt.fixedRateOnly) {
        emulatorCeiling(r);
        throughput(r, dir, config);
        producerPerformance(r, linger, batch, compression, dir);
      } else {
        r.verified = true; // no full-speed phase: only the fixed-rate topic's count is checked
      }
      latency(r, dir, config, linger, batch, compression);
      if (sideBySide != null) {
        r.sideBySide = sideBySide.run(dir, config);
      }
    } finally {
      BenchKafka.deleteRecursively(dir);
    }
    return r;
  }

  private void throughput(Result r, Path dir, Path config) throws Exception {
    String topic = "bench_rate_" + BenchKafka.shortId();
    broker.createTopic(topic);
    FinnhubEmulator emulator = deployEmulator(0, opt.trades);
    try (BenchService service = BenchService.start(dir.resolve("rate"), config, emulator.actualPort(), List.of(TOKEN), SYMBOLS, opt.bootstrap, topic)) {
      long warmup = opt.trades / 3;
      service.awaitAcked(warmup, Duration.ofMinutes(10));
      long warmAt = System.nanoTime();
      long warmAcked = service.acked();
      ThreadCpu warmCpu = service.threadCpu();
      JsonObject status = service.awaitAcked(opt.trades, Duration.ofMinutes(10));
      long doneAt = System.nanoTime();
      r.fullSpeedCpu = service.threadCpu().perTradeSince(warmCpu, status.getLong("acked") - warmAcked);
      r.fullSpeedTradesPerMessage = service.tradesPerBusMessage();
      r.serviceRate = (opt.trades - warmAcked) * 1e9 / (doneAt - warmAt);
      r.rssPeakMb = service.peakRssMb();
      r.serviceCpuUsPerRecord = service.cpuSeconds() * 1e6 / opt.trades;
      r.exitCode = service.stop();
      r.peakHeapMb = service.peakHeapMb();
      r.pauses = status.getLong("pauses");
      long inKafka = broker.recordCount(topic);
      r.verified = inKafka == opt.trades && emulator.tradesSent() == opt.trades
        && status.getLong("acked") == opt.trades && r.exitCode == 0;
      if (!r.verified) {
        BenchKafka.log("COUNT MISMATCH: emulator sent %d, Kafka holds %d, service acked %d, exit code %d", emulator.tradesSent(), inKafka,
          status.getLong("acked"), r.exitCode);
      }
      r.payloadSample = sampleValues(topic, 10_000);
    } finally {
      undeploy(emulator);
      broker.deleteTopic(topic);
    }
  }

  /** An emulator for one phase: {@code rate} trades/s (0 = as fast as the client reads), {@code total} in all. */
  FinnhubEmulator deployEmulator(double rate, long total) {
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(rate).withTotalTrades(total).withSymbolCap(0).withPingIntervalMs(0));
    vertx.deployVerticle(emulator).await();
    return emulator;
  }

  void undeploy(FinnhubEmulator emulator) {
    vertx.undeploy(emulator.deploymentID()).await();
  }

  /**
   * The emulator's own ceiling: the same full-speed stream into a client that only counts what arrives
   * (steady state after the first third). The service cannot be fed faster than this.
   */
  private void emulatorCeiling(Result r) throws Exception {
    FinnhubEmulator emulator = deployEmulator(0, opt.trades);
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 24).setMaxMessageSize(1 << 24));
    try {
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(emulator.actualPort())
        .setURI("/?token=" + TOKEN)).await();
      AtomicLong chars = new AtomicLong();
      ws.textMessageHandler(text -> chars.addAndGet(text.length()));
      for (String symbol : SYMBOLS) {
        ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("symbol", symbol).encode());
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (emulator.tradesSent() < opt.trades / 3 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      long warmAt = System.nanoTime();
      long warm = emulator.tradesSent();
      while (emulator.tradesSent() < opt.trades && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      r.emulatorRate = (emulator.tradesSent() - warm) * 1e9 / (System.nanoTime() - warmAt);
    } finally {
      client.close().await();
      undeploy(emulator);
    }
  }

  private void producerPerformance(Result r, int linger, int batch, String compression, Path dir) throws Exception {
    r.payloadBytes = r.payloadSample.stream().mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length).average().orElse(0);
    String text = runProducerPerformance(r.payloadSample, opt.trades, opt.trades / 3, -1, linger, batch, compression, dir, "full-speed");
    Matcher m = PP_RATE.matcher(text);
    double rate = m.find() ? Double.parseDouble(m.group(1)) : -1;
    if (rate < 0) {
      throw new IllegalStateException("no rate in ProducerPerformance output:\n" + text);
    }
    r.producerPerformanceRate = rate;
    Matcher cpu = Pattern.compile("CHILD_CPU_TICKS (\\d+)").matcher(text);
    if (cpu.find()) {
      r.producerPerformanceCpuUsPerRecord = Long.parseLong(cpu.group(1)) * 1e6 / BenchService.CLOCK_TICKS / opt.trades;
    }
  }

  /**
   * Kafka's own {@code ProducerPerformance} into a fresh topic, with the service's producer settings and these
   * payloads, {@code throughput} records/s (−1: as fast as it can); returns its output, with the tool's CPU time
   * as a {@code CHILD_CPU_TICKS} line.
   */
  private String runProducerPerformance(List<String> payloadSample, long records, long warmupRecords, long throughput,
                                        int linger, int batch, String compression, Path dir, String label) throws Exception {
    String topic = "bench_pp_" + BenchKafka.shortId();
    broker.createTopic(topic);
    try {
      Path payloads = dir.resolve("payloads-" + label + ".txt");
      Files.writeString(payloads, String.join("\n", payloadSample));
      String tool = String.join(" ", List.of("bash", opt.kafkaScript.toString(), "tool", "org.apache.kafka.tools.ProducerPerformance",
        "--topic", topic, "--num-records", Long.toString(records), "--warmup-records", Long.toString(warmupRecords),
        "--throughput", Long.toString(throughput), "--payload-file", payloads.toString(),
        "--producer-props", "bootstrap.servers=" + opt.bootstrap, "acks=all", "enable.idempotence=true",
        "max.in.flight.requests.per.connection=5", "linger.ms=" + linger, "batch.size=" + batch, "compression.type=" + compression));
      // The shell's own /proc stat, printed after the tool exited, holds the tool's CPU time (cutime + cstime).
      List<String> cmd = List.of("bash", "-c", tool + " && echo \"CHILD_CPU_TICKS $(awk '{print $16+$17}' /proc/$$/stat)\"");
      Path out = dir.resolve("producer-performance-" + label + ".txt");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("ProducerPerformance did not finish in 10 minutes");
      }
      return Files.readString(out);
    } finally {
      broker.deleteTopic(topic);
    }
  }

  /**
   * The latency floor of this machine and broker, measured in the same run: {@code ProducerPerformance} at the
   * latency phase's rate, with records the service wrote there as payloads and the service's producer settings;
   * p50 / p99 of send → acknowledgement after the same warm-up. The service's ack − receive has the same ends
   * plus its own hops, so its ratio to this is what the service adds.
   */
  private void producerPerformanceAtFixedRate(Result r, List<String> payloads, int linger, int batch, String compression, Path dir)
    throws Exception {
    String text = runProducerPerformance(payloads, (long) opt.latencyRate * opt.latencySeconds,
      (long) opt.latencyRate * opt.warmupSeconds, opt.latencyRate, linger, batch, compression, dir, "fixed-rate");
    Matcher m = PP_STEADY_LATENCY.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no steady-state latency in ProducerPerformance output:\n" + text);
    }
    r.kafkaFixedP50 = Long.parseLong(m.group(1));
    r.kafkaFixedP99 = Long.parseLong(m.group(2));
  }

  private void latency(Result r, Path dir, Path config, int linger, int batch, String compression) throws Exception {
    String topic = "bench_latency_" + BenchKafka.shortId();
    broker.createTopic(topic);
    long total = (long) opt.latencyRate * opt.latencySeconds;
    FinnhubEmulator emulator = deployEmulator(opt.latencyRate, total);
    try (BenchService service = BenchService.start(dir.resolve("latency"), config, emulator.actualPort(), List.of(TOKEN), SYMBOLS, opt.bootstrap, topic)) {
      JsonObject warm = service.awaitAcked(Math.min(total, (long) opt.latencyRate * opt.warmupSeconds), Duration.ofMinutes(5));
      long warmedAtMs = System.currentTimeMillis();
      ThreadCpu warmCpu = service.threadCpu();
      // Polled once a second, as a monitor would, not 20 times: /status costs the event loop the trades run on.
      JsonObject done = service.awaitAcked(total, Duration.ofMinutes(10), 1000);
      r.fixedRateCpu = service.threadCpu().perTradeSince(warmCpu, done.getLong("acked") - warm.getLong("acked"));
      r.fixedRateTradesPerMessage = service.tradesPerBusMessage();
      Histogram ack = Histogram.between(warm.getJsonObject("ack_latency_ms"), done.getJsonObject("ack_latency_ms"));
      r.ackP50 = ack.percentile(0.5);
      r.ackP99 = ack.percentile(0.99);
      r.ackMax = ack.percentile(1.0);
      r.sendP99 = Histogram.between(warm.getJsonObject("send_latency_ms"), done.getJsonObject("send_latency_ms")).percentile(0.99);
      int exit = service.stop();
      r.exitCode = Math.max(r.exitCode, exit);
      ReadBack back = readBack(topic, total, warmedAtMs, false, SERVICE_RECORD);
      r.latencyVerified = back.complete(total) && emulator.tradesSent() == total;
      r.appendP50 = back.lagPercentile(0.5);
      r.appendP99 = back.lagPercentile(0.99);
      r.appendMax = back.lagPercentile(1.0);
      producerPerformanceAtFixedRate(r, sampleValues(topic, 1000), linger, batch, compression, dir);
    } finally {
      undeploy(emulator);
      broker.deleteTopic(topic);
    }
  }

  static long pick(long[] sorted, double fraction) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
  }

  private List<String> sampleValues(String topic, int max) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = broker.consumer()) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (values.size() < max && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(200))) {
          if (values.size() < max) {
            values.add(rec.value());
          }
        }
      }
    }
    return values;
  }

  /** Where a record holds the trade's Finnhub {@code t} and, if it has one, an id unique to the record. */
  record RecordShape(String tradeTsField, String idField) {
  }

  /** The service's records (record.fields in conf/app.json). */
  static final RecordShape SERVICE_RECORD = new RecordShape("trade_ts_ms", "ingest_id");

  /**
   * A topic read back whole: its records, how many distinct ids they hold (the record count where they have
   * none: identical prints are distinct trades, so content cannot tell a duplicate), append time − Finnhub
   * {@code t} in ms (sorted) of the records after the warm-up, and whether every key's {@code t} stayed in order
   * (Finnhub's {@code t} never goes back within a symbol).
   */
  record ReadBack(long count, long distinctIds, long[] lags, boolean ordered) {

    boolean complete(long expected) {
      return count == expected && distinctIds == expected && ordered;
    }

    /** −1 when no record came after the warm-up. */
    long lagPercentile(double fraction) {
      return pick(lags, fraction);
    }
  }

  /**
   * @param warmedAtMs  the end of the warm-up: records whose trade was generated before it ({@code t}) are left out
   *                    of the lags, or with {@code byAppendTime} those appended to Kafka before it (a client that
   *                    reads ahead of what it delivers has every trade generated long before it delivers it)
   */
  ReadBack readBack(String topic, long expected, long warmedAtMs, boolean byAppendTime, RecordShape shape) {
    long[] lags = new long[1 << 16];
    int lagCount = 0;
    Set<String> ids = new HashSet<>();
    Map<String, Long> lastT = new HashMap<>();
    boolean ordered = true;
    long count = 0;
    try (KafkaConsumer<String, String> consumer = broker.consumer()) {
      consumer.subscribe(List.of(topic));
      // Everything is in Kafka already: stop 2 s after the last expected record, or after 15 s without any.
      long quietFor = TimeUnit.SECONDS.toNanos(15);
      long lastRecordAt = System.nanoTime();
      while (System.nanoTime() - lastRecordAt < quietFor) {
        for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(200))) {
          count++;
          lastRecordAt = System.nanoTime();
          JsonObject v = new JsonObject(rec.value());
          if (shape.idField() != null) {
            ids.add(v.getString(shape.idField()));
          }
          long t = v.getLong(shape.tradeTsField());
          Long previous = lastT.put(rec.key(), t);
          ordered &= previous == null || previous <= t;
          if ((byAppendTime ? rec.timestamp() : t) >= warmedAtMs) {
            if (lagCount == lags.length) {
              lags = Arrays.copyOf(lags, 2 * lagCount);
            }
            lags[lagCount++] = rec.timestamp() - t;
          }
        }
        if (count >= expected) {
          quietFor = TimeUnit.SECONDS.toNanos(2);
        }
      }
    }
    long distinct = shape.idField() == null ? count : ids.size();
    if (count != expected || distinct != count || !ordered) {
      BenchKafka.log("TOPIC %s MISMATCH: expected %d records, read %d with %d distinct ids, each key's t in order: %s", topic, expected,
        count, distinct, ordered);
    }
    long[] sorted = Arrays.copyOf(lags, lagCount);
    Arrays.sort(sorted);
    return new ReadBack(count, distinct, sorted, ordered);
  }

  /** A process that delivers the emulator's trades to Kafka, run as its users run it. */
  interface Deliverer extends AutoCloseable {

    long pid();

    /** SIGTERM, as an orchestrator stops it; returns the exit code. */
    int stop() throws InterruptedException;

    /** Kills it if it still runs. */
    @Override
    void close() throws InterruptedException;
  }

  /** Ack-latency histogram of one interval: bucket counts of two /status snapshots subtracted. */
  private record Histogram(Map<Long, Long> counts, long total) {

    static Histogram between(JsonObject before, JsonObject after) {
      Map<Long, Long> counts = new java.util.TreeMap<>();
      long total = 0;
      for (String key : after.getJsonObject("buckets").fieldNames()) {
        long n = after.getJsonObject("buckets").getLong(key) - before.getJsonObject("buckets").getLong(key, 0L);
        long bound = key.startsWith("<=") ? Long.parseLong(key.substring(2)) : Long.MAX_VALUE;
        if (n > 0) {
          counts.put(bound, n);
          total += n;
        }
      }
      return new Histogram(counts, total);
    }

    /** Upper bound of the bucket holding the quantile (−1 when empty). */
    long percentile(double fraction) {
      long rank = Math.max(1, (long) Math.ceil(fraction * total));
      long seen = 0;
      for (Map.Entry<Long, Long> e : counts.entrySet()) {
        seen += e.getValue();
        if (seen >= rank) {
          return e.getKey();
        }
      }
      return -1;
    }
  }

  /**
   * CPU ticks (user + system) per thread of a process at one moment, by thread id, with the thread's group: its
   * name (Linux keeps the first 15 characters of the Java name) with digits dropped, so {@code vert.x-eventloop-thread-0}
   * and {@code -1} are one group, as are the GC workers.
   */
  record ThreadCpu(Map<Long, String> groups, Map<Long, Long> ticks) {

    /** Thread groups in the order they are printed; the rest is summed into "other". */
    static final List<String> GROUPS = List.of("event loops", "delivery", "producer I/O", "GC", "JIT", "other");

    static ThreadCpu of(long pid) throws IOException {
      Map<Long, String> groups = new HashMap<>();
      Map<Long, Long> ticks = new HashMap<>();
      try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : tasks.toList()) {
          String stat;
          try {
            stat = Files.readString(task.resolve("stat"));
          } catch (IOException gone) {
            continue; // the thread ended meanwhile
          }
          long tid = Long.parseLong(task.getFileName().toString());
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          groups.put(tid, group(name));
          ticks.put(tid, BenchService.cpuTicks(stat));
        }
      }
      return new ThreadCpu(groups, ticks);
    }

    static String group(String threadName) {
      if (threadName.startsWith("vert.x-eventloo")) {
        return "event loops";
      }
      if (threadName.startsWith("kafka-delivery")) {
        return "delivery";
      }
      if (threadName.startsWith("kafka-producer")) {
        return "producer I/O";
      }
      if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ") || threadName.equals("VM Thread")) {
        return "GC";
      }
      if (threadName.contains("CompilerThre")) {
        return "JIT";
      }
      return "other";
    }

    /** µs of CPU per trade by group (and "total") between {@code before} and this snapshot, over {@code trades}. */
    Map<String, Double> perTradeSince(ThreadCpu before, long trades) {
      Map<String, Double> us = new LinkedHashMap<>();
      GROUPS.forEach(g -> us.put(g, 0.0));
      double total = 0;
      for (Map.Entry<Long, Long> e : ticks.entrySet()) {
        long delta = e.getValue() - before.ticks.getOrDefault(e.getKey(), 0L);
        double perTrade = delta * 1e6 / BenchService.CLOCK_TICKS / Math.max(1, trades);
        us.merge(groups.get(e.getKey()), perTrade, Double::sum);
        total += perTrade;
      }
      us.put("total", total);
      return us;
    }
  }

  /** The figures of one run. */
  static final class Result {
    double serviceRate;
    double emulatorRate;
    double producerPerformanceRate;
    double serviceCpuUsPerRecord;
    double producerPerformanceCpuUsPerRecord;
    double payloadBytes;
    long appendP50 = -1;
    long appendP99 = -1;
    long appendMax = -1;
    long ackP50 = -1;
    long ackP99 = -1;
    long ackMax = -1;
    /** The service's send → acknowledgement p99 at the fixed rate: the producer's and the broker's part of ack − receive. */
    long sendP99 = -1;
    /** ProducerPerformance at the same fixed rate, send → acknowledgement p50 / p99: the floor (ms). */
    long kafkaFixedP50 = -1;
    long kafkaFixedP99 = -1;
    double peakHeapMb;
    double rssPeakMb;
    long pauses;
    int exitCode;
    boolean verified;
    boolean latencyVerified;
    List<String> payloadSample = List.of();
    SideBySide.Figures sideBySide;
    /** µs of CPU per trade by thread group ({@link ThreadCpu#GROUPS} and "total"), after the warm-up of each phase. */
    Map<String, Double> fullSpeedCpu = Map.of();
    Map<String, Double> fixedRateCpu = Map.of();
    /** Trades per event-bus message on the trades address over the service's run: how many frames a read batched. */
    double fullSpeedTradesPerMessage = -1;
    double fixedRateTradesPerMessage = -1;

    /** For a median row: the median of the runs' ratios (each run's two rates were measured minutes apart, not the medians). */
    double medianRatio = -1;

    double ratio() {
      if (medianRatio >= 0) {
        return medianRatio;
      }
      return producerPerformanceRate <= 0 ? 0 : serviceRate / producerPerformanceRate;
    }

    String oneLine() {
      return String.format(Locale.ROOT, "service %.0f trades/s (%.1f µs CPU each), emulator alone %.0f trades/s, ProducerPerformance"
          + " %.0f records/s (%.1f µs CPU each) (ratio %.2f), append−t p50/p99/max %d/%d/%d ms,"
          + " ack−receive p50/p99/max %d/%d/≤%d ms (send−ack p99 %d ms; ProducerPerformance at the same rate p50/p99 %d/%d ms),"
          + " peak heap %.0f MB, peak RSS %.0f MB, pauses %d, trades per event-bus message %.1f at full speed and %.1f at the"
          + " fixed rate, counts %s, exit %d",
        serviceRate, serviceCpuUsPerRecord, emulatorRate, producerPerformanceRate, producerPerformanceCpuUsPerRecord, ratio(), appendP50,
        appendP99, appendMax, ackP50, ackP99, ackMax, sendP99, kafkaFixedP50, kafkaFixedP99, peakHeapMb, rssPeakMb, pauses,
        fullSpeedTradesPerMessage, fixedRateTradesPerMessage, verified && latencyVerified ? "verified" : "MISMATCH", exitCode);
    }

    static String tableHeader() {
      return "| | service trades/s | ProducerPerformance rec/s | ratio | emulator alone trades/s | CPU µs per record, service /"
        + " ProducerPerformance | append−t p50 / p99 / max (ms) | ack−receive p50 / p99 / max (ms) | send−ack p99 (ms)"
        + " | ProducerPerformance at the same rate p50 / p99 (ms) | peak heap (MB) | peak RSS (MB) | counts |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    }

    String tableRow(String label) {
      return String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %,.0f | %.1f / %.1f | %d / %d / %d | %d / %d / ≤%d | %d | %d / %d | %.0f | %.0f | %s |%n",
        label, serviceRate, producerPerformanceRate, ratio(), emulatorRate, serviceCpuUsPerRecord, producerPerformanceCpuUsPerRecord,
        appendP50, appendP99, appendMax, ackP50, ackP99, ackMax, sendP99, kafkaFixedP50, kafkaFixedP99, peakHeapMb, rssPeakMb,
        verified && latencyVerified ? "sent = in Kafka" : "MISMATCH");
    }

    static Result median(List<Result> runs) {
      Result m = new Result();
      m.serviceRate = BenchKafka.median(runs, r -> r.serviceRate);
      m.producerPerformanceRate = BenchKafka.median(runs, r -> r.producerPerformanceRate);
      m.emulatorRate = BenchKafka.median(runs, r -> r.emulatorRate);
      m.medianRatio = BenchKafka.median(runs, Result::ratio);
      m.serviceCpuUsPerRecord = BenchKafka.median(runs, r -> r.serviceCpuUsPerRecord);
      m.producerPerformanceCpuUsPerRecord = BenchKafka.median(runs, r -> r.producerPerformanceCpuUsPerRecord);
      m.appendP50 = (long) BenchKafka.median(runs, r -> r.appendP50);
      m.appendP99 = (long) BenchKafka.median(runs, r -> r.appendP99);
      m.appendMax = (long) BenchKafka.median(runs, r -> r.appendMax);
      m.ackP50 = (long) BenchKafka.median(runs, r -> r.ackP50);
      m.ackP99 = (long) BenchKafka.median(runs, r -> r.ackP99);
      m.ackMax = (long) BenchKafka.median(runs, r -> r.ackMax);
      m.sendP99 = (long) BenchKafka.median(runs, r -> r.sendP99);
      m.kafkaFixedP50 = (long) BenchKafka.median(runs, r -> r.kafkaFixedP50);
      m.kafkaFixedP99 = (long) BenchKafka.median(runs, r -> r.kafkaFixedP99);
      m.peakHeapMb = BenchKafka.median(runs, r -> r.peakHeapMb);
      m.rssPeakMb = BenchKafka.median(runs, r -> r.rssPeakMb);
      m.fullSpeedCpu = medianCpu(runs, r -> r.fullSpeedCpu);
      m.fixedRateCpu = medianCpu(runs, r -> r.fixedRateCpu);
      m.verified = runs.stream().allMatch(r -> r.verified);
      m.latencyVerified = runs.stream().allMatch(r -> r.latencyVerified);
      return m;
    }

    private static Map<String, Double> medianCpu(List<Result> runs, Function<Result, Map<String, Double>> f) {
      Map<String, Double> m = new LinkedHashMap<>();
      for (String group : f.apply(runs.get(0)).keySet()) {
        m.put(group, BenchKafka.median(runs, r -> f.apply(r).getOrDefault(group, 0.0)));
      }
      return m;
    }

    static String cpuTableHeader() {
      StringBuilder h = new StringBuilder("| CPU µs per trade, by thread |");
      StringBuilder rule = new StringBuilder("|---|");
      for (String g : ThreadCpu.GROUPS) {
        h.append(' ').append(g).append(" |");
        rule.append("---|");
      }
      return h.append(" **total** |\n").append(rule).append("---|\n").toString();
    }

    String cpuTableRows(String label, int fixedRate) {
      return cpuRow(label + ", full speed", fullSpeedCpu) + cpuRow(label + ", " + fixedRate + " trades/s", fixedRateCpu);
    }

    private static String cpuRow(String label, Map<String, Double> us) {
      StringBuilder row = new StringBuilder("| ").append(label).append(" |");
      for (String g : ThreadCpu.GROUPS) {
        row.append(String.format(Locale.ROOT, " %.2f |", us.getOrDefault(g, 0.0)));
      }
      return row.append(String.format(Locale.ROOT, " **%.2f** |%n", us.getOrDefault("total", 0.0))).toString();
    }

  }

  /** Command-line options; see bench/run.sh. {@code peer}: whether to run {@link SideBySide}. */
  record Options(String bootstrap, int runs, long trades, int latencyRate, int latencySeconds, int warmupSeconds,
                 boolean sweep, boolean fixedRateOnly, Path out, Path repo, Path kafkaScript, boolean peer, int peerRate, Path peerJar) {

    static Options parse(String[] args) {
      Map<String, String> a = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--sweep") || args[i].equals("--fixed-rate-only")) {
          a.put(args[i], "true");
        } else if (args[i].startsWith("--") && i + 1 < args.length) {
          a.put(args[i], args[++i]);
        } else {
          throw new IllegalArgumentException("unexpected argument " + args[i]);
        }
      }
      // The service is started from the working directory (target/finnhub-stream-fat.jar): run from the repository root.
      Path repo = Path.of(".").toAbsolutePath().normalize();
      String bootstrap = a.getOrDefault("--bootstrap", System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"));
      String peer = a.getOrDefault("--peer", "none");
      if (!peer.equals("none") && !peer.equals("camel")) {
        throw new IllegalArgumentException("--peer takes camel or none, got " + peer);
      }
      return new Options(bootstrap, Integer.parseInt(a.getOrDefault("--runs", "3")),
        Long.parseLong(a.getOrDefault("--trades", "3000000")), Integer.parseInt(a.getOrDefault("--latency-rate", "10000")),
        Integer.parseInt(a.getOrDefault("--latency-seconds", "30")), Integer.parseInt(a.getOrDefault("--warmup-seconds", "5")),
        a.containsKey("--sweep"), a.containsKey("--fixed-rate-only"), repo.resolve(a.getOrDefault("--out", "target/bench")), repo, repo.resolve("ci/kafka.sh"),
        peer.equals("camel"), Integer.parseInt(a.getOrDefault("--peer-rate", "40000")),
        repo.resolve("bench/camel/target/finnhub-camel-peer.jar"));
    }
  }
}
