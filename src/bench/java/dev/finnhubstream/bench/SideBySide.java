package dev.finnhubstream.bench;

import static dev.finnhubstream.bench.BenchKafka.log;
import static dev.finnhubstream.bench.BenchService.cpuSeconds;

import dev.finnhubstream.bench.DeliveryBenchmark.Deliverer;
import dev.finnhubstream.bench.DeliveryBenchmark.ReadBack;
import dev.finnhubstream.bench.DeliveryBenchmark.RecordShape;
import dev.finnhubstream.emulator.FinnhubEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The service side by side with the Apache Camel route a user would write instead ({@code bench/camel}, issue 19),
 * one after the other on the same broker: each from a fresh emulator (same seed, symbols and rate) into a fresh
 * topic, with the service's producer settings, measured the same way from outside so that
 * neither side's own counters are trusted: delivered = records in Kafka (end offsets), CPU time and peak RSS
 * (VmHWM) from /proc, Kafka append time − Finnhub {@code t} from the topic read back whole, with its count and
 * each symbol's order. Two modes: full speed ({@code --trades}, the first third as warm-up) and a fixed
 * {@code --peer-rate} for {@code --latency-seconds} (the first {@code --warmup-seconds} as warm-up); rate, CPU and
 * append − t are those of the records appended after the warm-up.
 */
final class SideBySide {

  enum Contender {
    SERVICE("service", DeliveryBenchmark.SERVICE_RECORD),
    /** The route writes Finnhub's trade object as it came ({@code t}); its records carry no id. */
    ROUTE("Camel route", new RecordShape("t", null));

    final String label;
    final RecordShape shape;

    Contender(String label, RecordShape shape) {
      this.label = label;
      this.shape = shape;
    }
  }

  /** One contender in one mode. */
  record Delivery(double rate, double cpuUsPerTrade, double rssMb, long appendP50, long appendP99, long sent, long inKafka,
                  long distinct, boolean ordered) {

    boolean complete() {
      return sent == inKafka && distinct == inKafka && ordered;
    }

    String counts() {
      return complete() ? "sent = in Kafka, in order" : String.format(Locale.ROOT, "MISMATCH: sent %,d, in Kafka %,d (%,d distinct), in order: %s",
        sent, inKafka, distinct, ordered);
    }
  }

  /** One run's four measurements. */
  record Figures(Map<Contender, Delivery> fullSpeed, Map<Contender, Delivery> fixedRate) {
  }

  /** How long delivery may make no progress before the count is taken as final. */
  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final DeliveryBenchmark bench;
  private final BenchKafka broker;
  private final DeliveryBenchmark.Options opt;
  private final Map<String, String> producerEnv;

  /** {@code linger}, {@code batch}, {@code compression}: the service's producer settings, given to the route too. */
  SideBySide(DeliveryBenchmark bench, BenchKafka broker, DeliveryBenchmark.Options opt, int linger, int batch, String compression) {
    this.bench = bench;
    this.broker = broker;
    this.opt = opt;
    this.producerEnv = Map.of("KAFKA_LINGER_MS", Integer.toString(linger), "KAFKA_BATCH_SIZE", Integer.toString(batch),
      "KAFKA_COMPRESSION", compression);
    if (!Files.isRegularFile(opt.peerJar())) {
      throw new IllegalStateException(opt.peerJar() + " is missing: build it with mvn -f bench/camel/pom.xml package (bench/run.sh does)");
    }
  }

  Figures run(Path dir, Path config) throws Exception {
    Map<Contender, Delivery> full = new EnumMap<>(Contender.class);
    Map<Contender, Delivery> fixed = new EnumMap<>(Contender.class);
    // Mode by mode, so that the two sides of each comparison run a minute or two apart, not a whole run.
    for (Contender c : Contender.values()) {
      full.put(c, deliver(c, dir, config, 0, opt.trades(), opt.trades() / 3));
    }
    long fixedTotal = (long) opt.peerRate() * opt.latencySeconds();
    for (Contender c : Contender.values()) {
      fixed.put(c, deliver(c, dir, config, opt.peerRate(), fixedTotal, (long) opt.peerRate() * opt.warmupSeconds()));
    }
    return new Figures(full, fixed);
  }

  private Delivery deliver(Contender who, Path dir, Path config, double rate, long total, long warm) throws Exception {
    String id = who.name().toLowerCase(Locale.ROOT) + (rate == 0 ? "_full" : "_fixed");
    String topic = "bench_" + id + "_" + BenchKafka.shortId();
    broker.createTopic(topic);
    FinnhubEmulator emulator = bench.deployEmulator(rate, total);
    try (Deliverer process = start(who, dir.resolve(id), config, emulator.actualPort(), topic)) {
      awaitInKafka(topic, warm);
      long warmAt = System.nanoTime();
      long warmAtMs = System.currentTimeMillis();
      double cpuAtWarm = cpuSeconds(process.pid());
      long inAtWarm = broker.appended(topic);
      long in = awaitInKafka(topic, total);
      double seconds = (System.nanoTime() - warmAt) / 1e9;
      double cpu = cpuSeconds(process.pid()) - cpuAtWarm;
      double rss = BenchService.procStatus(process.pid(), "VmHWM");
      int exit = process.stop();
      ReadBack back = bench.readBack(topic, total, warmAtMs, true, who.shape);
      Delivery d = new Delivery((in - inAtWarm) / seconds, cpu * 1e6 / Math.max(1, in - inAtWarm), rss, back.lagPercentile(0.5),
        back.lagPercentile(0.99), emulator.tradesSent(), back.count(), back.distinctIds(), back.ordered());
      log("%s, %s: %,.0f trades/s, %.1f µs CPU each, peak RSS %.0f MB, append−t p50/p99 %d/%d ms, %s, exit %d", who.label,
        rate == 0 ? "full speed" : String.format(Locale.ROOT, "%,.0f trades/s", rate), d.rate(), d.cpuUsPerTrade(), d.rssMb(),
        d.appendP50(), d.appendP99(), d.counts(), exit);
      return d;
    } finally {
      bench.undeploy(emulator);
      broker.deleteTopic(topic);
    }
  }

  private Deliverer start(Contender who, Path dir, Path config, int emulatorPort, String topic) throws Exception {
    if (who == Contender.SERVICE) {
      return BenchService.start(dir, config, emulatorPort, List.of(DeliveryBenchmark.TOKEN), DeliveryBenchmark.SYMBOLS, opt.bootstrap(), topic);
    }
    Map<String, String> env = new HashMap<>(BenchService.feedEnv(emulatorPort, List.of(DeliveryBenchmark.TOKEN), DeliveryBenchmark.SYMBOLS,
      opt.bootstrap(), topic));
    env.putAll(producerEnv);
    return CamelRoute.start(opt.peerJar(), dir, env);
  }

  /** Records in the topic once it holds {@code target}, or once it made no progress for 30 s. */
  private long awaitInKafka(String topic, long target) throws Exception {
    long count = broker.appended(topic);
    long progressAt = System.nanoTime();
    while (count < target) {
      if (System.nanoTime() - progressAt > STALL_NANOS) {
        log("%s: no progress for 30 s at %,d of %,d records", topic, count, target);
        return count;
      }
      Thread.sleep(100);
      long now = broker.appended(topic);
      if (now > count) {
        progressAt = System.nanoTime();
      }
      count = now;
    }
    return count;
  }

  /** The side-by-side table of the runs' medians; each ratio is the median of the runs' own ratios. */
  static String table(List<Figures> runs, int peerRate) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%nSide by side with the Camel route (bench/camel), %d runs, medians; service / route is the median"
      + " of each run's ratio%n%n", runs.size()));
    String fixed = String.format(Locale.ROOT, "%,d trades/s", peerRate);
    md.append("| | full speed: service | route | service / route | ").append(fixed).append(": service | route | service / route |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    row(md, runs, "delivered trades/s", "%,.0f", Delivery::rate);
    row(md, runs, "CPU µs per delivered trade", "%.1f", Delivery::cpuUsPerTrade);
    row(md, runs, "peak RSS (MB)", "%.0f", Delivery::rssMb);
    row(md, runs, "append − t p50 (ms)", "%.0f", Delivery::appendP50);
    row(md, runs, "append − t p99 (ms)", "%.0f", Delivery::appendP99);
    md.append("| sent → in Kafka |");
    for (boolean full : new boolean[] {true, false}) {
      for (Contender c : Contender.values()) {
        md.append(' ').append(runs.stream().map(r -> mode(r, full).get(c).counts()).distinct().collect(Collectors.joining("; "))).append(" |");
      }
      md.append(" |");
    }
    md.append('\n');
    double cpuRatio = medianRatio(runs, false, Delivery::cpuUsPerTrade);
    md.append(String.format(Locale.ROOT, "%nCPU per delivered trade, service / route, per run: full speed %s; %s %s.%n",
      ratios(runs, true, Delivery::cpuUsPerTrade), fixed, ratios(runs, false, Delivery::cpuUsPerTrade)));
    md.append(String.format(Locale.ROOT, "Target: CPU per delivered trade at %s ≤ half the route's: %s (%.2f).%n", fixed,
      cpuRatio <= 0.5 ? "met" : "MISSED", cpuRatio));
    return md.toString();
  }

  private static Map<Contender, Delivery> mode(Figures f, boolean full) {
    return full ? f.fullSpeed() : f.fixedRate();
  }

  private static void row(StringBuilder md, List<Figures> runs, String label, String format, ToDoubleFunction<Delivery> value) {
    md.append("| ").append(label).append(" |");
    for (boolean full : new boolean[] {true, false}) {
      for (Contender c : Contender.values()) {
        md.append(' ').append(String.format(Locale.ROOT, format, BenchKafka.median(runs, r -> value.applyAsDouble(mode(r, full).get(c)))))
          .append(" |");
      }
      double ratio = medianRatio(runs, full, value);
      md.append(' ').append(Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f", ratio) : "–").append(" |");
    }
    md.append('\n');
  }

  private static double[] ratioValues(List<Figures> runs, boolean full, ToDoubleFunction<Delivery> value) {
    // A figure below 0 is none (no record after the warm-up): no ratio.
    return runs.stream().mapToDouble(r -> {
      double service = value.applyAsDouble(mode(r, full).get(Contender.SERVICE));
      double route = value.applyAsDouble(mode(r, full).get(Contender.ROUTE));
      return service < 0 || route <= 0 ? Double.NaN : service / route;
    }).toArray();
  }

  private static double medianRatio(List<Figures> runs, boolean full, ToDoubleFunction<Delivery> value) {
    return BenchKafka.median(Arrays.stream(ratioValues(runs, full, value)).boxed().toList(), Double::doubleValue);
  }

  private static String ratios(List<Figures> runs, boolean full, ToDoubleFunction<Delivery> value) {
    return Arrays.stream(ratioValues(runs, full, value)).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v))
      .collect(Collectors.joining(", "));
  }

  /**
   * The route's jar, {@code java -jar} with the service's variables; its own process because Camel 4.17 runs on
   * Vert.x 4 and the service on Vert.x 5. With the JVM's default heap, as a user runs it: the route reads frames
   * ahead of what it delivers without bound, so behind the feed it runs out of the service's 256 MB.
   */
  static final class CamelRoute implements Deliverer {
    private final Process process;
    private final Path log;

    private CamelRoute(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static CamelRoute start(Path jar, Path dir, Map<String, String> env) throws IOException {
      Files.createDirectories(dir);
      Path log = dir.resolve("camel.log");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("FINNHUB_") || k.startsWith("KAFKA_"));
      pb.environment().putAll(env);
      return new CamelRoute(pb.start(), log);
    }

    @Override
    public long pid() {
      return process.pid();
    }

    /** Its exit code, or −1 when it was still running 60 s after SIGTERM and had to be killed. */
    @Override
    public int stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        log("the Camel route did not exit within 60 s of SIGTERM (log %s); killed", log);
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        return -1;
      }
      return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
