package dev.finnhubstream.bench;

import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.emulator.Silence;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Cost at the real load (issue 19, docs/benchmarks.md): the fat jar run as users run it ({@code java -Xmx256m -jar},
 * the heap docs/design.md recommends) against the emulator and the local broker, at the rates Finnhub really sends:
 * by default 60 trades/s on one free key (50 symbols) and 3,000 trades/s on 60 keys (50 symbols each, 50 trades/s
 * per key). Each run, per load:
 * <ol>
 *   <li><b>fresh start</b> (empty disk buffer, topic already there as Terraform leaves it): from the launch of
 *   {@code java} to {@code /ready} answering 200, to the first trade acknowledged ({@code /status}), and to the
 *   first record's append time in Kafka (the topic uses LogAppendTime); the CPU the process had used by then;
 *   and when the service log says each start-up step happened;</li>
 *   <li><b>steady window</b>: after {@code --warmup-seconds} of trades, over {@code --window-seconds} with nothing
 *   polling the service but {@code /proc}: CPU share (% of one core, utime + stime), CPU per acknowledged trade,
 *   RSS every second (average) and VmHWM (peak), threads, collections; then one full collection ({@code jcmd
 *   GC.run}) for the live heap;</li>
 *   <li>the emulator falls silent, the service must acknowledge every trade sent and exit 0 on SIGTERM; then a
 *   <b>restart</b> with the same disk buffer directory, timed the same way, a few seconds of trades, silence, stop;
 *   the topic must hold exactly the trades the emulator sent to both processes.</li>
 * </ol>
 * Medians over {@code --runs} are printed and written to {@code <out>/cost.md}.
 */
public final class CostAtLoadBenchmark {

  /** The free plan's symbols per key, as the emulator caps them by default. */
  private static final int SYMBOLS_PER_KEY = EmulatorOptions.DEFAULT_SYMBOL_CAP;
  /** One service log line: time, level, thread, logger, message (src/main/resources/logback.xml). */
  private static final Pattern LOG_LINE = Pattern.compile("^(\\S+) \\S+\\s+\\[[^]]*] \\S+ - (.*)$");
  /** Start-up steps as the service logs them, in the order they happen. */
  private static final Map<String, Pattern> MILESTONES = milestones();

  private final Options opt;
  private final Vertx vertx = Vertx.vertx();
  private final BenchKafka broker;

  private CostAtLoadBenchmark(Options opt) {
    this.opt = opt;
    this.broker = new BenchKafka(opt.bootstrap);
  }

  private static Map<String, Pattern> milestones() {
    Map<String, Pattern> m = new LinkedHashMap<>();
    m.put("JVM up, config read", Pattern.compile("^finnhub-stream starting"));
    m.put("Kafka writer ready", Pattern.compile("^Writing trades to Kafka topic"));
    m.put("first Finnhub connect", Pattern.compile("connecting to "));
    m.put("first Finnhub connection open", Pattern.compile("\\] connected to "));
    m.put("all verticles deployed", Pattern.compile("^finnhub-stream started"));
    return m;
  }

  public static void main(String[] args) throws Exception {
    Options opt = Options.parse(args);
    CostAtLoadBenchmark bench = new CostAtLoadBenchmark(opt);
    int status;
    try {
      status = bench.measure();
    } finally {
      bench.broker.close();
      bench.vertx.close().await();
    }
    System.exit(status);
  }

  private int measure() throws Exception {
    Map<Load, List<Run>> all = new LinkedHashMap<>();
    for (int i = 1; i <= opt.runs; i++) {
      // Loads interleaved, so a change in the machine's business falls on both alike.
      for (Load load : opt.loads) {
        BenchKafka.log("run %d of %d: %s", i, opt.runs, load.label());
        Run r = run(load);
        BenchKafka.log("run %d, %s: %s", i, load.label(), r.oneLine());
        all.computeIfAbsent(load, l -> new ArrayList<>()).add(r);
      }
    }
    String md = report(all);
    Files.createDirectories(opt.out);
    Path file = opt.out.resolve("cost.md");
    Files.writeString(file, md);
    System.out.println();
    System.out.println(md);
    System.out.println("(written to " + file + ")");
    return all.values().stream().flatMap(List::stream).allMatch(r -> r.verified) ? 0 : 1;
  }

  private Run run(Load load) throws Exception {
    Run r = new Run();
    String topic = "bench_cost_" + BenchKafka.shortId();
    broker.createTopic(topic);
    List<String> tokens = new ArrayList<>();
    for (int k = 1; k <= load.keys; k++) {
      tokens.add("bench-key-" + k);
    }
    List<String> symbols = symbols(load.keys * SYMBOLS_PER_KEY);
    // Finnhub's own cadence and frames: pings every minute, 1–10 trades per frame, the free plan's symbol cap.
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(new HashSet<>(tokens))
      .withTradesPerSecond(load.tradesPerSecond).withRecordTrades(false));
    vertx.deployVerticle(emulator).await();
    Path dir = Files.createTempDirectory(opt.out.toAbsolutePath().getParent(), "bench-cost");
    try {
      Path config = BenchKafka.writeConfig(opt.repo, dir, Map.of());
      try (BenchService service = BenchService.start(dir.resolve("fresh"), config, emulator.actualPort(), tokens, symbols, opt.bootstrap,
        topic)) {
        r.fresh = startup(service, topic, Map.of());
        long warmUntil = r.fresh.ackAtMs + TimeUnit.SECONDS.toMillis(opt.warmupSeconds);
        Thread.sleep(Math.max(0, warmUntil - System.currentTimeMillis()));
        window(service, r);
        emulator.setSilence(Silence.TOTAL);
        long sent = emulator.tradesSent();
        service.awaitAcked(sent, Duration.ofMinutes(2));
        r.exitCode = service.stop();
      }
      // The restart: the same disk buffer directory a clean stop left behind, trades flowing again.
      Map<TopicPartition, Long> before;
      try (KafkaConsumer<String, String> consumer = broker.consumer()) {
        before = consumer.endOffsets(BenchKafka.partitions(consumer, topic));
      }
      long sentBefore = emulator.tradesSent();
      emulator.setSilence(Silence.NONE);
      try (BenchService service = BenchService.start(dir.resolve("restart"), config, emulator.actualPort(), tokens, symbols, opt.bootstrap,
        topic)) {
        r.restart = startup(service, topic, before);
        Thread.sleep(TimeUnit.SECONDS.toMillis(opt.restartSeconds));
        emulator.setSilence(Silence.TOTAL);
        service.awaitAcked(emulator.tradesSent() - sentBefore, Duration.ofMinutes(2));
        r.exitCode = Math.max(r.exitCode, service.stop());
      }
      r.sent = emulator.tradesSent();
      r.inKafka = broker.recordCount(topic);
      r.verified = r.sent == r.inKafka && r.exitCode == 0;
      if (!r.verified) {
        BenchKafka.log("MISMATCH: emulator sent %d, Kafka holds %d, exit code %d", r.sent, r.inKafka, r.exitCode);
      }
    } finally {
      vertx.undeploy(emulator.deploymentID()).await();
      broker.deleteTopic(topic);
      BenchKafka.deleteRecursively(dir);
    }
    return r;
  }

  /** {@code n} symbols: the delivery benchmark's real ones first, then made-up ones (the emulator trades any). */
  private static List<String> symbols(int n) {
    List<String> symbols = new ArrayList<>(DeliveryBenchmark.SYMBOLS.subList(0, Math.min(n, DeliveryBenchmark.SYMBOLS.size())));
    for (int i = symbols.size(); i < n; i++) {
      symbols.add(String.format(Locale.ROOT, "BENCH:S%04d", i));
    }
    return symbols;
  }

  /**
   * Times one start from the launch of {@code java}: /ready polled every 20 ms, the first acknowledgement
   * ({@code /status}) every 100 ms: /status is built from every connection and symbol (3,000 of them at 60 keys),
   * and polling it faster slowed the start it measured. Then the first record after {@code from} (end offsets
   * before the start; empty: the topic's start) by its append time, and the log's start-up steps.
   */
  private Startup startup(BenchService service, String topic, Map<TopicPartition, Long> from) throws Exception {
    Startup s = new Startup();
    long t0 = service.process().startedAtMs();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    long readyAt = -1;
    long ackAt = -1;
    // The process's CPU time as the start goes on, to read it at the first record's append time afterwards.
    java.util.NavigableMap<Long, Double> cpuAt = new java.util.TreeMap<>();
    for (int poll = 0; readyAt < 0 || ackAt < 0; poll++) {
      cpuAt.put(System.currentTimeMillis(), service.cpuSeconds());
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no /ready or no first acknowledgement within 3 minutes; log:\n" + service.process().log());
      }
      if (readyAt < 0 && service.process().httpStatus("/ready") == 200) {
        readyAt = System.currentTimeMillis();
      }
      if (ackAt < 0 && poll % 5 == 0 && service.acked() > 0) {
        ackAt = System.currentTimeMillis();
      }
      Thread.sleep(20);
    }
    s.ackAtMs = ackAt;
    s.readyS = (readyAt - t0) / 1000.0;
    s.ackS = (ackAt - t0) / 1000.0;
    long firstAppend = firstAppendMs(topic, from);
    s.kafkaS = (firstAppend - t0) / 1000.0;
    // Unknown when the first trade reached Kafka before /status answered (60 keys: the status endpoint is deployed last).
    Map.Entry<Long, Double> cpu = cpuAt.ceilingEntry(firstAppend);
    s.cpuSecondsToKafka = cpu == null || cpuAt.floorEntry(firstAppend) == null ? Double.NaN : cpu.getValue();
    String log = service.process().log();
    for (Map.Entry<String, Pattern> m : MILESTONES.entrySet()) {
      s.milestones.put(m.getKey(), firstLogged(log, m.getValue()).map(at -> (at - t0) / 1000.0).orElse(Double.NaN));
    }
    return s;
  }

  /** Epoch ms of the earliest append time among the first records after {@code from}. */
  private long firstAppendMs(String topic, Map<TopicPartition, Long> from) {
    try (KafkaConsumer<String, String> consumer = broker.consumer()) {
      List<TopicPartition> parts = BenchKafka.partitions(consumer, topic);
      consumer.assign(parts);
      parts.forEach(tp -> consumer.seek(tp, from.getOrDefault(tp, 0L)));
      long first = Long.MAX_VALUE;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long settleUntil = Long.MAX_VALUE;
      // Another partition's first record may arrive in a later poll: keep reading a moment after the first one.
      while (System.nanoTime() < Math.min(deadline, settleUntil)) {
        for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(100))) {
          first = Math.min(first, rec.timestamp());
          if (settleUntil == Long.MAX_VALUE) {
            settleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
          }
        }
      }
      if (first == Long.MAX_VALUE) {
        throw new IllegalStateException("no record in " + topic + " within 60 s of the first acknowledgement");
      }
      return first;
    }
  }

  private static java.util.Optional<Long> firstLogged(String log, Pattern what) {
    for (String line : log.split("\n")) {
      Matcher m = LOG_LINE.matcher(line);
      if (m.matches() && what.matcher(m.group(2)).find()) {
        return java.util.Optional.of(OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli());
      }
    }
    return java.util.Optional.empty();
  }

  /** The steady window: only /proc is read while it runs, /status once at each end. */
  private void window(BenchService service, Run r) throws Exception {
    long acked0 = service.acked();
    double cpu0 = service.cpuSeconds();
    int gc0 = service.gcCount();
    Map<String, Double> threads0 = service.cpuSecondsByThread();
    long t0 = System.nanoTime();
    long end = t0 + TimeUnit.SECONDS.toNanos(opt.windowSeconds);
    double rssSum = 0;
    double threadsMax = 0;
    int samples = 0;
    for (long next = t0 + TimeUnit.SECONDS.toNanos(1); next <= end; next += TimeUnit.SECONDS.toNanos(1)) {
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
      rssSum += service.procStatus("VmRSS");
      threadsMax = Math.max(threadsMax, service.procStatus("Threads"));
      samples++;
    }
    double cpu1 = service.cpuSeconds();
    Map<String, Double> threads1 = service.cpuSecondsByThread();
    long t1 = System.nanoTime();
    long acked1 = service.acked();
    double seconds = (t1 - t0) / 1e9;
    r.rate = (acked1 - acked0) / seconds;
    r.cpuPercent = 100 * (cpu1 - cpu0) / seconds;
    r.cpuUsPerTrade = (cpu1 - cpu0) * 1e6 / Math.max(1, acked1 - acked0);
    threads1.forEach((name, cpu) -> r.threadCpuPercent.put(name, 100 * (cpu - threads0.getOrDefault(name, 0.0)) / seconds));
    // The JIT compiler still works minutes into a low load: its share, apart, is a warm-up cost, not a per-trade one.
    r.jitPercent = r.threadCpuPercent.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre")).mapToDouble(Map.Entry::getValue).sum();
    r.rssAvgMb = rssSum / samples;
    r.rssPeakMb = service.peakRssMb();
    r.threads = threadsMax;
    r.gcsPerMinute = (service.gcCount() - gc0) * 60 / seconds;
    r.heapPeakMb = service.peakHeapMb();
    // One full collection after the window (it must not count in the CPU): the live heap at this load.
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
      Long.toString(service.process().pid()), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
      jcmd.destroyForcibly();
    }
    int before = service.gcCount();
    for (int i = 0; i < 50 && service.gcCount() == before; i++) {
      Thread.sleep(100); // the GC log is written asynchronously
    }
    r.heapAfterGcMb = service.lastHeapAfterGcMb();
  }

  private String report(Map<Load, List<Run>> all) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Cost at the real load: java -Xmx256m -jar, %d runs per load, medians; window %d s after %d s of"
      + " trades; start-up from the launch of java%n%n", opt.runs, opt.windowSeconds, opt.warmupSeconds));
    md.append("| load | trades/s delivered | CPU (% of one core) | of it JIT compiler | CPU µs per trade (without JIT) | RSS average / peak (MB) | heap after full GC /"
      + " peak (MB) | collections per minute | threads | counts |\n|---|---|---|---|---|---|---|---|---|---|\n");
    all.forEach((load, runs) -> {
      for (int i = 0; i < runs.size(); i++) {
        md.append(runs.get(i).steadyRow(load.label() + ", run " + (i + 1)));
      }
      md.append(Run.median(runs).steadyRow("**" + load.label() + ", median**"));
    });
    md.append("\nWhere the window's CPU went, by thread (median % of one core, the largest):\n");
    all.forEach((load, runs) -> {
      Map<String, Double> medians = new LinkedHashMap<>();
      runs.stream().flatMap(r -> r.threadCpuPercent.keySet().stream()).distinct()
        .forEach(name -> medians.put(name, BenchKafka.median(runs, r -> r.threadCpuPercent.getOrDefault(name, 0.0))));
      md.append("- ").append(load.label()).append(": ").append(String.join(", ", medians.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(10)
        .map(e -> String.format(Locale.ROOT, "`%s` %.1f", e.getKey(), e.getValue())).toList())).append('\n');
    });
    md.append("\n| load, start | /ready (s) | first trade acknowledged (s) | first trade in Kafka (s) | CPU until the first trade in Kafka (s) |");
    MILESTONES.keySet().forEach(k -> md.append(' ').append(k).append(" (s) |"));
    md.append("\n|---|---|---|---|---|").append("---|".repeat(MILESTONES.size())).append('\n');
    all.forEach((load, runs) -> {
      md.append(Startup.median(runs, r -> r.fresh).row(load.label() + ", fresh"));
      md.append(Startup.median(runs, r -> r.restart).row(load.label() + ", restart"));
    });
    md.append("\nStart-up per run (fresh / restart, first trade in Kafka, s): ");
    all.forEach((load, runs) -> md.append(load.label()).append(": ").append(String.join(", ",
      runs.stream().map(r -> String.format(Locale.ROOT, "%.2f / %.2f", r.fresh.kafkaS, r.restart.kafkaS)).toList())).append("; "));
    md.append('\n');
    return md.toString();
  }

  /** A load: keys (one connection each, 50 symbols each) and the emulator's aggregate rate. */
  private record Load(int keys, int tradesPerSecond) {
    String label() {
      return String.format(Locale.ROOT, "%,d trades/s, %d key%s", tradesPerSecond, keys, keys == 1 ? "" : "s");
    }
  }

  /** One start's times, seconds from the launch of {@code java}. */
  private static final class Startup {
    double readyS;
    double ackS;
    double kafkaS;
    double cpuSecondsToKafka;
    long ackAtMs;
    final Map<String, Double> milestones = new LinkedHashMap<>();

    static Startup median(List<Run> runs, java.util.function.Function<Run, Startup> which) {
      List<Startup> starts = runs.stream().map(which).toList();
      Startup m = new Startup();
      m.readyS = BenchKafka.median(starts, s -> s.readyS);
      m.ackS = BenchKafka.median(starts, s -> s.ackS);
      m.kafkaS = BenchKafka.median(starts, s -> s.kafkaS);
      m.cpuSecondsToKafka = BenchKafka.median(starts, s -> s.cpuSecondsToKafka);
      for (String k : MILESTONES.keySet()) {
        m.milestones.put(k, BenchKafka.median(starts, s -> s.milestones.get(k)));
      }
      return m;
    }

    String row(String label) {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.1f |", label, readyS, ackS, kafkaS,
        cpuSecondsToKafka));
      milestones.values().forEach(v -> b.append(String.format(Locale.ROOT, " %.2f |", v)));
      return b.append('\n').toString();
    }
  }

  /** The figures of one run of one load. */
  private static final class Run {
    double rate;
    double cpuPercent;
    double cpuUsPerTrade;
    double jitPercent;
    double rssAvgMb;
    double rssPeakMb;
    double heapAfterGcMb;
    double heapPeakMb;
    double gcsPerMinute;
    double threads;
    /** % of one core per thread name over the window. */
    final Map<String, Double> threadCpuPercent = new java.util.TreeMap<>();
    Startup fresh;
    Startup restart;
    long sent;
    long inKafka;
    int exitCode;
    boolean verified;

    String oneLine() {
      return String.format(Locale.ROOT, "%.0f trades/s, CPU %.1f%% of a core (JIT %.1f), %.0f µs per trade, RSS avg %.0f / peak %.0f MB, heap after"
          + " full GC %.0f MB (peak %.0f), %.1f collections/min, %.0f threads; start fresh: ready %.2f s, first ack %.2f s, in Kafka %.2f s;"
          + " restart: %.2f / %.2f / %.2f s; sent %d, in Kafka %d, exit %d", rate, cpuPercent, jitPercent, cpuUsPerTrade, rssAvgMb, rssPeakMb,
        heapAfterGcMb, heapPeakMb, gcsPerMinute, threads, fresh.readyS, fresh.ackS, fresh.kafkaS, restart.readyS, restart.ackS,
        restart.kafkaS, sent, inKafka, exitCode);
    }

    String steadyRow(String label) {
      return String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.1f | %.0f (%.0f) | %.0f / %.0f | %.0f / %.0f | %.1f | %.0f | %s |%n", label, rate,
        cpuPercent, jitPercent, cpuUsPerTrade, (cpuPercent - jitPercent) * 1e4 / rate, rssAvgMb, rssPeakMb, heapAfterGcMb, heapPeakMb, gcsPerMinute, threads,
        verified ? "sent = in Kafka" : "MISMATCH");
    }

    static Run median(List<Run> runs) {
      Run m = new Run();
      m.rate = med(runs, r -> r.rate);
      m.cpuPercent = med(runs, r -> r.cpuPercent);
      m.cpuUsPerTrade = med(runs, r -> r.cpuUsPerTrade);
      m.jitPercent = med(runs, r -> r.jitPercent);
      m.rssAvgMb = med(runs, r -> r.rssAvgMb);
      m.rssPeakMb = med(runs, r -> r.rssPeakMb);
      m.heapAfterGcMb = med(runs, r -> r.heapAfterGcMb);
      m.heapPeakMb = med(runs, r -> r.heapPeakMb);
      m.gcsPerMinute = med(runs, r -> r.gcsPerMinute);
      m.threads = med(runs, r -> r.threads);
      m.verified = runs.stream().allMatch(r -> r.verified);
      return m;
    }

    private static double med(List<Run> runs, ToDoubleFunction<Run> f) {
      return BenchKafka.median(runs, f);
    }
  }

  /** Command-line options; see bench/run.sh. */
  private record Options(String bootstrap, int runs, int warmupSeconds, int windowSeconds, int restartSeconds, List<Load> loads, Path out,
                         Path repo) {

    static Options parse(String[] args) throws IOException {
      Map<String, String> a = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].startsWith("--") && i + 1 < args.length) {
          a.put(args[i], args[++i]);
        } else {
          throw new IllegalArgumentException("unexpected argument " + args[i] + " (options take a value: --runs 3)");
        }
      }
      List<Load> loads = new ArrayList<>();
      // keys:trades per second, e.g. 1:60,60:3000
      for (String l : a.getOrDefault("--loads", "1:60,60:3000").split(",")) {
        String[] kr = l.trim().split(":");
        if (kr.length != 2) {
          throw new IllegalArgumentException("--loads takes keys:rate pairs, e.g. 1:60,60:3000; got " + l);
        }
        loads.add(new Load(Integer.parseInt(kr[0]), Integer.parseInt(kr[1])));
      }
      if (loads.stream().anyMatch(l -> l.keys < 1 || l.tradesPerSecond < 1)) {
        throw new IllegalArgumentException("--loads: at least one key and one trade per second each, got " + loads);
      }
      // The service is started from the working directory (target/finnhub-stream-fat.jar): run from the repository root.
      Path repo = Path.of(".").toAbsolutePath().normalize();
      String bootstrap = a.getOrDefault("--bootstrap", System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"));
      return new Options(bootstrap, Integer.parseInt(a.getOrDefault("--runs", "3")), Integer.parseInt(a.getOrDefault("--warmup-seconds", "30")),
        Integer.parseInt(a.getOrDefault("--window-seconds", "60")), Integer.parseInt(a.getOrDefault("--restart-seconds", "5")), loads,
        repo.resolve(a.getOrDefault("--out", "target/bench")), repo);
    }
  }
}
