package dev.finnhubstream.bench;

import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.ServiceProcess;
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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

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
 *   own acknowledgement − receive histogram (two /status snapshots subtracted);</li>
 *   <li>peak heap (largest heap occupancy the GC log shows) and peak RSS (VmHWM) of the service, which must
 *   exit 0 on SIGTERM; and in both service phases, after the warm-up, CPU µs per acknowledged trade by thread
 *   group (event loops, delivery thread, producer I/O, GC, JIT, other; from /proc/PID/task).</li>
 * </ol>
 * With {@code --fixed-rate-only}, only the latency phase runs: the cheap before/after of CPU per trade at a fixed
 * rate (e.g. {@code --latency-rate 40000}).
 * Medians over the runs are printed and written to {@code <out>/results.md}. With {@code --sweep}, one run
 * per linger.ms / batch.size pair instead: the measurement behind the defaults in {@code conf/app.json}.
 */
public final class DeliveryBenchmark {

  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "AMZN", "NVDA", "TSLA", "GOOGL", "META", "NFLX",
    "AMD", "INTC", "BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "OANDA:EUR_USD", "OANDA:GBP_USD",
    "OANDA:USD_JPY", "IC MARKETS:1", "IC MARKETS:2", "SPY", "QQQ");
  private static final String TOKEN = "bench-token";
  private static final Pattern GC_HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
  /** ProducerPerformance's summary line for the records after the warm-up. */
  private static final Pattern PP_RATE = Pattern.compile("steady state records sent, ([0-9.]+) records/sec");
  /** USER_HZ of /proc/&lt;pid&gt;/stat times; 100 on Linux. */
  private static final double CLOCK_TICKS = 100.0;

  private final Options opt;
  private final Vertx vertx = Vertx.vertx();
  private final Admin admin;

  private DeliveryBenchmark(Options opt) {
    this.opt = opt;
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, opt.bootstrap);
    this.admin = Admin.create(p);
  }

  public static void main(String[] args) throws Exception {
    Options opt = Options.parse(args);
    DeliveryBenchmark bench = new DeliveryBenchmark(opt);
    int status;
    try {
      status = opt.sweep ? bench.sweep() : bench.measure();
    } finally {
      bench.admin.close();
      bench.vertx.close().await();
    }
    System.exit(status);
  }

  /** {@code --runs} full runs with the committed settings; prints medians and checks the targets. */
  private int measure() throws Exception {
    JsonObject kafka = committedKafkaSection();
    int linger = kafka.getInteger("linger_ms");
    int batch = kafka.getInteger("batch_size");
    List<Result> runs = new ArrayList<>();
    for (int i = 1; i <= opt.runs; i++) {
      log("run %d of %d (linger.ms=%d, batch.size=%d)", i, opt.runs, linger, batch);
      Result r = run(Map.of(), linger, batch, kafka.getString("compression_type"));
      log("run %d: %s", i, r.oneLine());
      log("run %d: CPU µs/trade by thread, full speed %s; at %d trades/s %s", i, r.fullSpeedCpu, opt.latencyRate, r.fixedRateCpu);
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
      .append("; p99 ≤ 10 ms at ").append(opt.latencyRate).append(" trades/s (append − t): ").append(verdict(median.appendP99 <= 10))
      .append("; heap ≤ 256 MB: ").append(verdict(median.peakHeapMb <= 256)).append('\n');
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
      log("sweep: %s", s.label());
      Map<String, Object> overrides = Map.of("linger_ms", s.lingerMs(), "batch_size", s.batchSize(), "compression_type", s.compression());
      Result r = run(overrides, s.lingerMs(), s.batchSize(), s.compression());
      log("sweep %s: %s", s.label(), r.oneLine());
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

  private Result run(Map<String, Object> kafkaOverrides, int linger, int batch, String compression) throws Exception {
    Result r = new Result();
    Path dir = Files.createTempDirectory(opt.out.toAbsolutePath().getParent() == null ? Path.of(".") : opt.out.getParent(), "bench-run");
    try {
      Path config = writeConfig(dir, kafkaOverrides);
      if (!opt.fixedRateOnly) {
        emulatorCeiling(r);
        throughput(r, dir, config);
        producerPerformance(r, linger, batch, compression, dir);
      } else {
        r.verified = true; // no full-speed phase: only the fixed-rate topic's count is checked
      }
      latency(r, dir, config);
    } finally {
      deleteRecursively(dir);
    }
    return r;
  }

  private void throughput(Result r, Path dir, Path config) throws Exception {
    String topic = "bench_rate_" + shortId();
    createTopic(topic);
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(0).withTotalTrades(opt.trades).withSymbolCap(0).withPingIntervalMs(0));
    vertx.deployVerticle(emulator).await();
    try (Service service = Service.start(this, dir.resolve("rate"), config, emulator.actualPort(), topic)) {
      long warmup = opt.trades / 3;
      service.awaitAcked(warmup, Duration.ofMinutes(10));
      long warmAt = System.nanoTime();
      long warmAcked = service.acked();
      ThreadCpu warmCpu = service.threadCpu();
      JsonObject status = service.awaitAcked(opt.trades, Duration.ofMinutes(10));
      long doneAt = System.nanoTime();
      r.fullSpeedCpu = service.threadCpu().perTradeSince(warmCpu, status.getLong("acked") - warmAcked);
      r.serviceRate = (opt.trades - warmAcked) * 1e9 / (doneAt - warmAt);
      r.rssPeakMb = service.peakRssMb();
      r.serviceCpuUsPerRecord = service.cpuSeconds() * 1e6 / opt.trades;
      r.exitCode = service.stop();
      r.peakHeapMb = service.peakHeapMb();
      r.pauses = status.getLong("pauses");
      long inKafka = recordCount(topic);
      r.verified = inKafka == opt.trades && emulator.tradesSent() == opt.trades
        && status.getLong("acked") == opt.trades && r.exitCode == 0;
      if (!r.verified) {
        log("COUNT MISMATCH: emulator sent %d, Kafka holds %d, service acked %d, exit code %d", emulator.tradesSent(), inKafka,
          status.getLong("acked"), r.exitCode);
      }
      r.payloadSample = sampleValues(topic, 10_000);
    } finally {
      vertx.undeploy(emulator.deploymentID()).await();
      deleteTopic(topic);
    }
  }

  /**
   * The emulator's own ceiling: the same full-speed stream into a client that only counts what arrives
   * (steady state after the first third). The service cannot be fed faster than this.
   */
  private void emulatorCeiling(Result r) throws Exception {
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(0).withTotalTrades(opt.trades).withSymbolCap(0).withPingIntervalMs(0));
    vertx.deployVerticle(emulator).await();
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
      vertx.undeploy(emulator.deploymentID()).await();
    }
  }

  private void producerPerformance(Result r, int linger, int batch, String compression, Path dir) throws Exception {
    String topic = "bench_pp_" + shortId();
    createTopic(topic);
    Path payloads = dir.resolve("payloads.txt");
    Files.writeString(payloads, String.join("\n", r.payloadSample));
    r.payloadBytes = r.payloadSample.stream().mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length).average().orElse(0);
    String tool = String.join(" ", List.of("bash", opt.kafkaScript.toString(), "tool", "org.apache.kafka.tools.ProducerPerformance",
      "--topic", topic, "--num-records", Long.toString(opt.trades), "--warmup-records", Long.toString(opt.trades / 3),
      "--throughput", "-1", "--payload-file", payloads.toString(),
      "--producer-props", "bootstrap.servers=" + opt.bootstrap, "acks=all", "enable.idempotence=true",
      "max.in.flight.requests.per.connection=5", "linger.ms=" + linger, "batch.size=" + batch, "compression.type=" + compression));
    // The shell's own /proc stat, printed after the tool exited, holds the tool's CPU time (cutime + cstime).
    List<String> cmd = List.of("bash", "-c", tool + " && echo \"CHILD_CPU_TICKS $(awk '{print $16+$17}' /proc/$$/stat)\"");
    Path out = dir.resolve("producer-performance.txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("ProducerPerformance did not finish in 10 minutes");
    }
    String text = Files.readString(out);
    Matcher m = PP_RATE.matcher(text);
    double rate = m.find() ? Double.parseDouble(m.group(1)) : -1;
    if (rate < 0) {
      throw new IllegalStateException("no rate in ProducerPerformance output:\n" + text);
    }
    r.producerPerformanceRate = rate;
    Matcher cpu = Pattern.compile("CHILD_CPU_TICKS (\\d+)").matcher(text);
    if (cpu.find()) {
      r.producerPerformanceCpuUsPerRecord = Long.parseLong(cpu.group(1)) * 1e6 / CLOCK_TICKS / opt.trades;
    }
    deleteTopic(topic);
  }

  private void latency(Result r, Path dir, Path config) throws Exception {
    String topic = "bench_latency_" + shortId();
    createTopic(topic);
    long total = (long) opt.latencyRate * opt.latencySeconds;
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(opt.latencyRate).withTotalTrades(total).withSymbolCap(0).withPingIntervalMs(0));
    vertx.deployVerticle(emulator).await();
    try (Service service = Service.start(this, dir.resolve("latency"), config, emulator.actualPort(), topic)) {
      JsonObject warm = service.awaitAcked(Math.min(total, (long) opt.latencyRate * opt.warmupSeconds), Duration.ofMinutes(5));
      long warmedAtMs = System.currentTimeMillis();
      ThreadCpu warmCpu = service.threadCpu();
      // Polled once a second, as a monitor would, not 20 times: /status costs the event loop the trades run on.
      JsonObject done = service.awaitAcked(total, Duration.ofMinutes(10), 1000);
      r.fixedRateCpu = service.threadCpu().perTradeSince(warmCpu, done.getLong("acked") - warm.getLong("acked"));
      Histogram ack = Histogram.between(warm.getJsonObject("ack_latency_ms"), done.getJsonObject("ack_latency_ms"));
      r.ackP50 = ack.percentile(0.5);
      r.ackP99 = ack.percentile(0.99);
      r.ackMax = ack.percentile(1.0);
      int exit = service.stop();
      r.exitCode = Math.max(r.exitCode, exit);
      long[] lags = appendLags(topic, total, warmedAtMs);
      r.latencyVerified = lags.length > 0 && emulator.tradesSent() == total;
      Arrays.sort(lags);
      r.appendP50 = pick(lags, 0.5);
      r.appendP99 = pick(lags, 0.99);
      r.appendMax = lags.length == 0 ? -1 : lags[lags.length - 1];
    } finally {
      vertx.undeploy(emulator.deploymentID()).await();
      deleteTopic(topic);
    }
  }

  private static long pick(long[] sorted, double fraction) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
  }

  /** Records in {@code topic}: the sum over its partitions of end offset − start offset. */
  private long recordCount(String topic) {
    try (KafkaConsumer<String, String> consumer = consumer()) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      return parts.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
    }
  }

  private List<String> sampleValues(String topic, int max) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = consumer()) {
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

  /**
   * Append time − Finnhub {@code t} (ms) of every record whose trade was generated after the warm-up; also
   * checks that the topic holds exactly {@code expected} records with distinct ingest ids.
   */
  private long[] appendLags(String topic, long expected, long warmedAtMs) {
    List<Long> lags = new ArrayList<>();
    Set<String> ids = new java.util.HashSet<>();
    long count = 0;
    try (KafkaConsumer<String, String> consumer = consumer()) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(200))) {
          count++;
          JsonObject v = new JsonObject(rec.value());
          ids.add(v.getString("ingest_id"));
          long t = v.getLong("trade_ts_ms");
          if (t >= warmedAtMs) {
            lags.add(rec.timestamp() - t);
          }
        }
        if (count >= expected && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        }
      }
    }
    if (count != expected || ids.size() != expected) {
      log("LATENCY TOPIC MISMATCH: expected %d records, read %d with %d distinct ingest ids", expected, count, ids.size());
      return new long[0];
    }
    return lags.stream().mapToLong(Long::longValue).toArray();
  }

  private KafkaConsumer<String, String> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, opt.bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  private void createTopic(String topic) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)
      .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get(60, TimeUnit.SECONDS);
  }

  private void deleteTopic(String topic) {
    try {
      admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log("could not delete topic %s: %s", topic, e);
    }
  }

  private JsonObject committedKafkaSection() throws IOException {
    JsonObject root = new JsonObject(Files.readString(opt.repo.resolve("conf/app.json")));
    JsonObject merged = root.getJsonObject("common").getJsonObject("kafka").copy();
    merged.mergeIn(root.getJsonObject("environments").getJsonObject("local").getJsonObject("kafka"));
    return merged;
  }

  /** conf/app.json with the local environment pointed at this run's disk buffer, plus the sweep's settings. */
  private Path writeConfig(Path dir, Map<String, Object> kafkaOverrides) throws IOException {
    JsonObject root = new JsonObject(Files.readString(opt.repo.resolve("conf/app.json")));
    JsonObject local = root.getJsonObject("environments").getJsonObject("local").getJsonObject("kafka");
    local.put("disk_buffer_dir", dir.resolve("buffer").toString());
    local.put("dead_letter_topic", "bench_dlq");
    kafkaOverrides.forEach(local::put);
    Path file = dir.resolve("app.json");
    Files.writeString(file, root.encodePrettily());
    return file;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  static void log(String format, Object... args) {
    System.out.printf("[bench] " + format + "%n", args);
  }

  /** The service as users run it ({@code java -Xmx256m -jar}, see {@link ServiceProcess}), with a GC log. */
  private static final class Service implements AutoCloseable {
    private final ServiceProcess process;
    private final Path gcLog;

    private Service(ServiceProcess process, Path gcLog) {
      this.process = process;
      this.gcLog = gcLog;
    }

    static Service start(DeliveryBenchmark bench, Path dir, Path config, int emulatorPort, String topic) throws Exception {
      Files.createDirectories(dir);
      Path gcLog = dir.resolve("gc.log");
      List<String> jvm = new ArrayList<>(List.of("-Xlog:gc:file=" + gcLog));
      // Extra JVM options for the service, e.g. a JFR recording when profiling: BENCH_SERVICE_JVM_OPTS="-XX:StartFlightRecording=..."
      String extra = System.getenv("BENCH_SERVICE_JVM_OPTS");
      if (extra != null && !extra.isBlank()) {
        jvm.addAll(List.of(extra.trim().split("\\s+")));
      }
      Map<String, String> env = Map.of(
        "APP_CONFIG", config.toString(),
        "FINNHUB_URL", "ws://127.0.0.1:" + emulatorPort,
        "FINNHUB_TOKEN", TOKEN,
        "FINNHUB_SYMBOLS", String.join(",", SYMBOLS),
        "KAFKA_BOOTSTRAP_SERVERS", bench.opt.bootstrap,
        "KAFKA_TOPIC", topic);
      return new Service(ServiceProcess.start(dir.resolve("service.log"), env, jvm), gcLog);
    }

    JsonObject awaitAcked(long count, Duration timeout) throws Exception {
      return awaitAcked(count, timeout, 50);
    }

    /** Polls /status every {@code pollMs} until {@code count} trades are acknowledged. */
    JsonObject awaitAcked(long count, Duration timeout, long pollMs) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        JsonObject kafka = process.sinkStatus();
        if (kafka.getLong("acked", 0L) >= count) {
          return kafka;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the service did not acknowledge " + count + " trades in time; status: " + kafka);
        }
        Thread.sleep(pollMs);
      }
    }

    long acked() {
      return process.sinkStatus().getLong("acked");
    }

    double peakRssMb() throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
      return -1;
    }

    /** CPU time of each of the service's threads so far (from /proc/PID/task/TID/stat). */
    ThreadCpu threadCpu() throws IOException {
      return ThreadCpu.of(process.pid());
    }

    /** CPU time (user + system) the service has used so far, start-up included. */
    double cpuSeconds() throws IOException {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS;
    }

    /** Largest heap occupancy in the GC log: what was in use when a collection started. */
    double peakHeapMb() throws IOException {
      double peak = 0;
      if (!Files.exists(gcLog)) {
        return -1;
      }
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = GC_HEAP.matcher(line);
        if (m.find()) {
          peak = Math.max(peak, mb(m.group(1), m.group(2)));
        }
      }
      return peak;
    }

    private static double mb(String n, String unit) {
      double v = Double.parseDouble(n);
      return switch (unit) {
        case "K" -> v / 1024;
        case "G" -> v * 1024;
        default -> v;
      };
    }

    /** SIGTERM, as an orchestrator stops it; returns the exit code. */
    int stop() throws InterruptedException {
      return process.terminate(Duration.ofSeconds(60));
    }

    @Override
    public void close() throws InterruptedException {
      process.close();
    }
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
      Map<Long, String> groups = new java.util.HashMap<>();
      Map<Long, Long> ticks = new java.util.HashMap<>();
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
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          groups.put(tid, group(name));
          ticks.put(tid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
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
        double perTrade = delta * 1e6 / CLOCK_TICKS / Math.max(1, trades);
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
    double peakHeapMb;
    double rssPeakMb;
    long pauses;
    int exitCode;
    boolean verified;
    boolean latencyVerified;
    List<String> payloadSample = List.of();
    /** µs of CPU per trade by thread group ({@link ThreadCpu#GROUPS} and "total"), after the warm-up of each phase. */
    Map<String, Double> fullSpeedCpu = Map.of();
    Map<String, Double> fixedRateCpu = Map.of();

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
          + " ack−receive p50/p99/max %d/%d/≤%d ms, peak heap %.0f MB, peak RSS %.0f MB, pauses %d, counts %s, exit %d",
        serviceRate, serviceCpuUsPerRecord, emulatorRate, producerPerformanceRate, producerPerformanceCpuUsPerRecord, ratio(), appendP50,
        appendP99,
        appendMax, ackP50, ackP99, ackMax, peakHeapMb, rssPeakMb, pauses, verified && latencyVerified ? "verified" : "MISMATCH", exitCode);
    }

    static String tableHeader() {
      return "| | service trades/s | ProducerPerformance rec/s | ratio | emulator alone trades/s | CPU µs per record, service /"
        + " ProducerPerformance | append−t p50 / p99 / max (ms) | ack−receive p50 / p99 / max (ms) | peak heap (MB) | peak RSS (MB) | counts |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|\n";
    }

    String tableRow(String label) {
      return String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %,.0f | %.1f / %.1f | %d / %d / %d | %d / %d / ≤%d | %.0f | %.0f | %s |%n",
        label, serviceRate, producerPerformanceRate, ratio(), emulatorRate, serviceCpuUsPerRecord, producerPerformanceCpuUsPerRecord, appendP50, appendP99, appendMax, ackP50, ackP99, ackMax, peakHeapMb, rssPeakMb,
        verified && latencyVerified ? "sent = in Kafka" : "MISMATCH");
    }

    static Result median(List<Result> runs) {
      Result m = new Result();
      m.serviceRate = median(runs, r -> r.serviceRate);
      m.producerPerformanceRate = median(runs, r -> r.producerPerformanceRate);
      m.emulatorRate = median(runs, r -> r.emulatorRate);
      m.medianRatio = median(runs, Result::ratio);
      m.serviceCpuUsPerRecord = median(runs, r -> r.serviceCpuUsPerRecord);
      m.producerPerformanceCpuUsPerRecord = median(runs, r -> r.producerPerformanceCpuUsPerRecord);
      m.appendP50 = (long) median(runs, r -> r.appendP50);
      m.appendP99 = (long) median(runs, r -> r.appendP99);
      m.appendMax = (long) median(runs, r -> r.appendMax);
      m.ackP50 = (long) median(runs, r -> r.ackP50);
      m.ackP99 = (long) median(runs, r -> r.ackP99);
      m.ackMax = (long) median(runs, r -> r.ackMax);
      m.peakHeapMb = median(runs, r -> r.peakHeapMb);
      m.rssPeakMb = median(runs, r -> r.rssPeakMb);
      m.fullSpeedCpu = medianCpu(runs, r -> r.fullSpeedCpu);
      m.fixedRateCpu = medianCpu(runs, r -> r.fixedRateCpu);
      m.verified = runs.stream().allMatch(r -> r.verified);
      m.latencyVerified = runs.stream().allMatch(r -> r.latencyVerified);
      return m;
    }

    private static Map<String, Double> medianCpu(List<Result> runs, java.util.function.Function<Result, Map<String, Double>> f) {
      Map<String, Double> m = new LinkedHashMap<>();
      for (String group : f.apply(runs.get(0)).keySet()) {
        m.put(group, median(runs, r -> f.apply(r).getOrDefault(group, 0.0)));
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

    private static double median(Collection<Result> runs, ToDoubleFunction<Result> f) {
      double[] v = runs.stream().mapToDouble(f).sorted().toArray();
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
  }

  /** Command-line options; see bench/run.sh. */
  private record Options(String bootstrap, int runs, long trades, int latencyRate, int latencySeconds, int warmupSeconds,
                         boolean sweep, boolean fixedRateOnly, Path out, Path repo, Path kafkaScript) {

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
      return new Options(bootstrap, Integer.parseInt(a.getOrDefault("--runs", "3")),
        Long.parseLong(a.getOrDefault("--trades", "3000000")), Integer.parseInt(a.getOrDefault("--latency-rate", "10000")),
        Integer.parseInt(a.getOrDefault("--latency-seconds", "30")), Integer.parseInt(a.getOrDefault("--warmup-seconds", "5")),
        a.containsKey("--sweep"), a.containsKey("--fixed-rate-only"), repo.resolve(a.getOrDefault("--out", "target/bench")), repo, repo.resolve("ci/kafka.sh"));
    }
  }
}
