package dev.finnhubstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Meters of the Kafka writer, read from its status reply (polled once a second). Each meter is registered
 * the first time its field shows up, so the writer can grow its report without this class failing on what
 * it lacks. Histograms the writer keeps itself ({@code {"count", "sum_ms", "buckets": {"<=5": n, ">300000": n}}},
 * counts per bucket) are exposed as Prometheus histograms in seconds.
 */
final class SinkMeters implements MultiCollector {

  private enum Kind { COUNTER, GAUGE }

  private record Field(String name, Kind kind, String description, String... path) {
  }

  private static final List<Field> FIELDS = List.of(
    new Field("finnhub.kafka.records.received", Kind.COUNTER, "Trades the Kafka writer took from the event bus", "received"),
    new Field("finnhub.kafka.records.acked", Kind.COUNTER, "Trades acknowledged by Kafka", "acked"),
    new Field("finnhub.kafka.records.failed", Kind.COUNTER, "Trades Kafka refused for good", "failed"),
    new Field("finnhub.kafka.queued.bytes", Kind.GAUGE, "Bytes queued in the Kafka writer ahead of the producer", "queued_bytes"),
    new Field("finnhub.kafka.outages", Kind.COUNTER, "Times Kafka stopped acknowledging long enough to count as an outage", "outages"),
    new Field("finnhub.kafka.dead.letters.acked", Kind.COUNTER, "Dead letters acknowledged by Kafka", "dead_letters", "acked"),
    new Field("finnhub.kafka.disk.buffer.bytes", Kind.GAUGE, "Bytes held in the disk buffer", "disk_buffer", "bytes"),
    new Field("finnhub.kafka.disk.buffer.records", Kind.GAUGE, "Records held in the disk buffer", "disk_buffer", "records"),
    new Field("finnhub.kafka.disk.buffer.max.bytes", Kind.GAUGE, "Capacity of the disk buffer", "disk_buffer", "max_bytes"),
    new Field("finnhub.kafka.disk.buffer.spilled", Kind.COUNTER, "Records written to the disk buffer", "disk_buffer", "spilled"),
    new Field("finnhub.kafka.disk.buffer.dropped", Kind.COUNTER, "Records dropped: the disk buffer was full", "disk_buffer", "dropped"));

  /** Writer histogram field → Prometheus name and help. */
  private static final Map<String, String[]> HISTOGRAMS = Map.of(
    "ack_latency_ms", new String[] {"finnhub_kafka_ack_latency_seconds", "Kafka acknowledgement time minus the trade's receive time"},
    "send_latency_ms", new String[] {"finnhub_kafka_send_latency_seconds", "Kafka acknowledgement time minus the time the record was handed to the producer"});

  private final MeterSet meters;
  private final List<String> symbols;
  private final Set<String> registered = new HashSet<>();
  /** Every bucket bound seen per histogram, so a histogram's series stay the same from one scrape to the next. */
  private final Map<String, Set<Double>> bounds = new TreeMap<>();
  private JsonObject last = new JsonObject();

  /**
   * @param symbols the configured symbols: the only values of the {@code symbol} label (others count as {@code other})
   */
  SinkMeters(MeterSet meters, List<String> symbols) {
    this.meters = meters;
    this.symbols = symbols;
    meters.add(Gauge.builder("finnhub.kafka.in.flight", this, m -> ProducerHealth.inFlight(m.last))
      .description("Trades handed to the producer and not yet acknowledged or failed").register(meters.registry()));
    if (meters.registry() instanceof PrometheusMeterRegistry prometheus) {
      prometheus.getPrometheusRegistry().register(this);
    }
  }

  void update(JsonObject sink) {
    last = sink;
    for (Field f : FIELDS) {
      if (!registered.contains(f.name() + f.kind()) && value(sink, f.path()) != null) {
        registered.add(f.name() + f.kind());
        meters.add(f.kind() == Kind.COUNTER
          ? FunctionCounter.builder(f.name(), this, m -> orNaN(value(m.last, f.path()))).description(f.description()).register(meters.registry())
          : Gauge.builder(f.name(), this, m -> orNaN(value(m.last, f.path()))).description(f.description()).register(meters.registry()));
      }
    }
    if (!registered.contains("written") && sink.getValue("acked_by_symbol") instanceof JsonObject) {
      registered.add("written");
      for (String symbol : symbols) {
        meters.add(FunctionCounter.builder("finnhub.trades.written", this, m -> m.writtenOf(symbol))
          .description("Trades acknowledged by Kafka, per configured symbol").tag("symbol", symbol).register(meters.registry()));
      }
      meters.add(FunctionCounter.builder("finnhub.trades.written", this, SinkMeters::writtenOfOthers)
        .description("Trades acknowledged by Kafka, per configured symbol").tag("symbol", MetricsVerticle.OTHER_SYMBOL)
        .register(meters.registry()));
    }
  }

  void close() {
    if (meters.registry() instanceof PrometheusMeterRegistry prometheus) {
      prometheus.getPrometheusRegistry().unregister(this);
    }
  }

  private double writtenOf(String symbol) {
    return last.getJsonObject("acked_by_symbol", new JsonObject()).getLong(symbol, 0L);
  }

  private double writtenOfOthers() {
    JsonObject all = last.getJsonObject("acked_by_symbol", new JsonObject());
    long n = 0;
    for (String s : all.fieldNames()) {
      if (!symbols.contains(s) && all.getValue(s) instanceof Number v) {
        n += v.longValue();
      }
    }
    return n;
  }

  private static Number value(JsonObject json, String... path) {
    Object v = json;
    for (String p : path) {
      v = v instanceof JsonObject o ? o.getValue(p) : null;
    }
    return v instanceof Number n ? n : null;
  }

  private static double orNaN(Number n) {
    return n == null ? Double.NaN : n.doubleValue();
  }

  /** Called by the Prometheus registry during a scrape, on the scraping (metrics verticle's) thread. */
  @Override
  public MetricSnapshots collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    HISTOGRAMS.forEach((field, meta) -> {
      if (last.getValue(field) instanceof JsonObject h && h.getValue("buckets") instanceof JsonObject buckets) {
        out.add(histogram(field, meta[0], meta[1], h, buckets));
      }
    });
    return new MetricSnapshots(out);
  }

  private HistogramSnapshot histogram(String field, String name, String help, JsonObject h, JsonObject buckets) {
    Set<Double> known = bounds.computeIfAbsent(field, k -> new java.util.TreeSet<>());
    TreeMap<Double, Long> counts = new TreeMap<>();
    for (String key : buckets.fieldNames()) {
      double bound = key.startsWith("<=") ? Double.parseDouble(key.substring(2)) / 1000.0 : Double.POSITIVE_INFINITY;
      counts.merge(bound, buckets.getLong(key, 0L), Long::sum);
      known.add(bound);
    }
    known.add(Double.POSITIVE_INFINITY);
    double[] upper = new double[known.size()];
    long[] perBucket = new long[known.size()];
    int i = 0;
    for (double b : known) {
      upper[i] = b;
      perBucket[i++] = counts.getOrDefault(b, 0L);
    }
    HistogramSnapshot.HistogramDataPointSnapshot.Builder point = HistogramSnapshot.HistogramDataPointSnapshot.builder()
      .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, perBucket));
    if (h.getValue("sum_ms") instanceof Number sum) {
      point.sum(sum.doubleValue() / 1000.0);
    }
    return HistogramSnapshot.builder().name(name).help(help).dataPoint(point.build()).build();
  }
}
