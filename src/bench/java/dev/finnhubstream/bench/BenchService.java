package dev.finnhubstream.bench;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.support.ServiceProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service as users run it ({@code java -Xmx256m -jar}, see {@link ServiceProcess}) with a GC log, pointed at an
 * emulator and the benchmark's broker, and what the benchmarks read of it from outside: {@code /status} and
 * {@code /proc}. Shared by {@link DeliveryBenchmark}, {@link SideBySide} and {@link CostAtLoadBenchmark}.
 */
final class BenchService implements DeliveryBenchmark.Deliverer {

  /** A G1 or Serial GC log line's occupancy: before->after(capacity). */
  private static final Pattern GC_HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
  /** USER_HZ of /proc/&lt;pid&gt;/stat times; 100 on Linux. */
  static final double CLOCK_TICKS = 100.0;

  private final ServiceProcess process;
  private final Path gcLog;

  private BenchService(ServiceProcess process, Path gcLog) {
    this.process = process;
    this.gcLog = gcLog;
  }

  /**
   * Starts the fat jar in {@code dir} (its log and GC log there) with {@code config} as its {@code conf/app.json},
   * reading {@code symbols} with {@code tokens} (comma-separated, one connection each) from the emulator on
   * {@code emulatorPort} and writing to {@code topic}; returns once {@code /status} answers.
   */
  static BenchService start(Path dir, Path config, int emulatorPort, List<String> tokens, List<String> symbols, String bootstrap,
                            String topic) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path gcLog = dir.resolve("gc.log");
    List<String> jvm = new ArrayList<>(List.of("-Xlog:gc:file=" + gcLog));
    // Extra JVM options for the service, e.g. a JFR recording when profiling: BENCH_SERVICE_JVM_OPTS="-XX:StartFlightRecording=..."
    String extra = System.getenv("BENCH_SERVICE_JVM_OPTS");
    if (extra != null && !extra.isBlank()) {
      jvm.addAll(List.of(extra.trim().split("\\s+")));
    }
    Map<String, String> env = new HashMap<>(feedEnv(emulatorPort, tokens, symbols, bootstrap, topic));
    env.put("APP_CONFIG", config.toString());
    return new BenchService(ServiceProcess.start(dir.resolve("service.log"), env, jvm), gcLog);
  }

  /**
   * The environment that points the service (and the Camel route of {@link SideBySide}, which reads the same
   * variables) at a feed and a topic.
   */
  static Map<String, String> feedEnv(int emulatorPort, List<String> tokens, List<String> symbols, String bootstrap, String topic) {
    return Map.of(
      "FINNHUB_URL", "ws://127.0.0.1:" + emulatorPort,
      "FINNHUB_TOKEN", String.join(",", tokens),
      "FINNHUB_SYMBOLS", String.join(",", symbols),
      "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
      "KAFKA_TOPIC", topic);
  }

  ServiceProcess process() {
    return process;
  }

  JsonObject awaitAcked(long count, Duration timeout) throws InterruptedException {
    return awaitAcked(count, timeout, 50);
  }

  /** Polls /status every {@code pollMs} until {@code count} trades are acknowledged. */
  JsonObject awaitAcked(long count, Duration timeout, long pollMs) throws InterruptedException {
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

  /**
   * Trades received per message published on the trades address since the start (/status: the writer's count over
   * Vert.x's event-bus meter): how many frames one network read batched; -1 without the meters.
   */
  double tradesPerBusMessage() throws IOException, InterruptedException {
    JsonObject status = process.status();
    JsonObject addresses = status.getJsonObject("eventbus").getJsonObject("addresses");
    JsonObject trades = addresses == null ? null : addresses.getJsonObject(Addresses.TRADES);
    long published = trades == null ? 0 : trades.getLong("published");
    return published == 0 ? -1 : status.getJsonObject("kafka").getLong("received") / (double) published;
  }

  long acked() {
    return process.sinkStatus().getLong("acked");
  }

  @Override
  public long pid() {
    return process.pid();
  }

  double procStatus(String field) throws IOException {
    return procStatus(process.pid(), field);
  }

  /**
   * A {@code kB} line of /proc/&lt;pid&gt;/status ({@code VmRSS}, {@code VmHWM}...) of any process in MB, or the count
   * of {@code Threads}.
   */
  static double procStatus(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        long n = Long.parseLong(line.replaceAll("[^0-9]", ""));
        return line.endsWith("kB") ? n / 1024.0 : n;
      }
    }
    return -1;
  }

  double peakRssMb() throws IOException {
    return procStatus("VmHWM");
  }

  /** CPU time (user + system) the service has used so far, start-up included. */
  double cpuSeconds() throws IOException {
    return cpuSeconds(process.pid());
  }

  /** CPU time (user + system, all threads) a running process has used so far. */
  static double cpuSeconds(long pid) throws IOException {
    return cpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /** utime + stime of a /proc stat line, in seconds. */
  private static double cpuSeconds(String stat) {
    return cpuTicks(stat) / CLOCK_TICKS;
  }

  /** utime + stime of a /proc stat line (a process's or a thread's), in ticks of {@link #CLOCK_TICKS}. */
  static long cpuTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** CPU time of each of the service's threads so far (from /proc/PID/task/TID/stat). */
  DeliveryBenchmark.ThreadCpu threadCpu() throws IOException {
    return DeliveryBenchmark.ThreadCpu.of(process.pid());
  }

  /**
   * CPU time (user + system, seconds) per thread name so far, threads of one name summed; names are the kernel's
   * (15 characters: {@code vert.x-eventloo}, {@code kafka-producer-}, {@code C2 CompilerThre}...).
   */
  Map<String, Double> cpuSecondsByThread() throws IOException {
    Map<String, Double> byName = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("#?[0-9]+$", "#");
          byName.merge(name, cpuSeconds(Files.readString(task.resolve("stat"))), Double::sum);
        } catch (IOException ended) {
          // the thread ended between the listing and the read
        }
      }
    }
    return byName;
  }

  /** Largest heap occupancy in the GC log: what was in use when a collection started. */
  double peakHeapMb() throws IOException {
    return gcLogOccupancies().stream().mapToDouble(o -> o[0]).max().orElse(-1);
  }

  /** Heap occupancy after the last collection in the GC log, or −1 before the first. */
  double lastHeapAfterGcMb() throws IOException {
    List<double[]> all = gcLogOccupancies();
    return all.isEmpty() ? -1 : all.get(all.size() - 1)[1];
  }

  /** Collections the GC log holds so far. */
  int gcCount() throws IOException {
    return gcLogOccupancies().size();
  }

  /** Before and after (MB) of every collection in the GC log. */
  private List<double[]> gcLogOccupancies() throws IOException {
    List<double[]> all = new ArrayList<>();
    if (!Files.exists(gcLog)) {
      return all;
    }
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_HEAP.matcher(line);
      if (m.find()) {
        all.add(new double[] {mb(m.group(1), m.group(2)), mb(m.group(3), m.group(4))});
      }
    }
    return all;
  }

  private static double mb(String n, String unit) {
    double v = Double.parseDouble(n);
    return switch (unit) {
      case "K" -> v / 1024;
      case "G" -> v * 1024;
      default -> v;
    };
  }

  @Override
  public int stop() throws InterruptedException {
    return process.terminate(Duration.ofSeconds(60));
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
