package dev.finnhubstream.metrics;

import dev.finnhubstream.sink.SinkStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Meters of the Kafka writer, read from its status reply (polled once a second). They are registered with the
 * first reply, so that none shows a made-up value before the writer has answered. The latency histograms the
 * writer keeps itself (counts per millisecond bucket) are exposed as Prometheus histograms in seconds.
 */
final class SinkMeters implements MultiCollector {

  private enum Kind { COUNTER, GAUGE }

  private record Field(String name, Kind kind, String description, ToDoubleFunction<SinkStatus> value) {
  }

  private static final List<Field> FIELDS = List.of(
    new Field("finnhub.kafka.records.received", Kind.COUNTER, "Trades the Kafka writer took from the event bus", SinkStatus::received),
    new Field("finnhub.kafka.records.acked", Kind.COUNTER, "Trades acknowledged by Kafka", SinkStatus::acked),
    new Field("finnhub.kafka.records.failed", Kind.COUNTER, "Trades Kafka refused for good", SinkStatus::failed),
    new Field("finnhub.kafka.queued.bytes", Kind.GAUGE, "Bytes queued in the Kafka writer ahead of the producer",
      s -> s.delivery().queuedBytes()),
    new Field("finnhub.kafka.outages", Kind.COUNTER, "Times Kafka stopped acknowledging long enough to count as an outage",
      s -> s.delivery().outages()),
    new Field("finnhub.kafka.dead.letters.acked", Kind.COUNTER, "Dead letters acknowledged by Kafka", s -> s.deadLetters().acked()),
    new Field("finnhub.kafka.disk.buffer.bytes", Kind.GAUGE, "Bytes held in the disk buffer", s -> s.delivery().diskBuffer().bytes()),
    new Field("finnhub.kafka.disk.buffer.records", Kind.GAUGE, "Records held in the disk buffer", s -> s.delivery().diskBuffer().records()),
    new Field("finnhub.kafka.disk.buffer.max.bytes", Kind.GAUGE, "Capacity of the disk buffer", s -> s.delivery().diskBuffer().maxBytes()),
    new Field("finnhub.kafka.disk.buffer.spilled", Kind.COUNTER, "Records written to the disk buffer", s -> s.delivery().diskBuffer().spilled()),
    new Field("finnhub.kafka.disk.buffer.dropped", Kind.COUNTER, "Records dropped: the disk buffer was full", s -> s.delivery().diskBuffer().dropped()));

  /** A histogram the writer keeps, with its Prometheus name and help. */
  private record Histogram(String name, String help, Function<SinkStatus, SinkStatus.Latency> value) {
  }

  private static final List<Histogram> HISTOGRAMS = List.of(
    new Histogram("finnhub_kafka_ack_latency_seconds", "Kafka acknowledgement time minus the trade's receive time", SinkStatus::ackLatency),
    new Histogram("finnhub_kafka_send_latency_seconds", "Kafka acknowledgement time minus the time the record was handed to the producer",
      SinkStatus::sendLatency));

  private final MeterSet meters;
  private final List<String> symbols;
  /** Every bucket bound seen per histogram, so a histogram's series stay the same from one scrape to the next. */
  private final Map<String, Set<Double>> bounds = new TreeMap<>();
  /** The writer's latest reply; {@code null} before the first. */
  private volatile SinkStatus last;

  /**
   * @param symbols the configured symbols: the only values of the {@code symbol} label (others count as {@code other})
   */
  SinkMeters(MeterSet meters, List<String> symbols) {
    this.meters = meters;
    this.symbols = symbols;
    meters.add(Gauge.builder("finnhub.kafka.in.flight", this, m -> m.last == null ? 0 : m.last.delivery().inFlightRecords())
      .description("Trades handed to the producer and not yet acknowledged or failed").register(meters.registry()));
    if (meters.registry() instanceof PrometheusMeterRegistry prometheus) {
      prometheus.getPrometheusRegistry().register(this);
    }
  }

  void update(SinkStatus sink) {
    boolean first = last == null;
    last = sink;
    if (first) {
      register();
    }
  }

  private void register() {
    for (Field f : FIELDS) {
      meters.add(f.kind() == Kind.COUNTER
        ? FunctionCounter.builder(f.name(), this, m -> f.value().applyAsDouble(m.last)).description(f.description()).register(meters.registry())
        : Gauge.builder(f.name(), this, m -> f.value().applyAsDouble(m.last)).description(f.description()).register(meters.registry()));
    }
    for (String symbol : symbols) {
      meters.add(FunctionCounter.builder("finnhub.trades.written", this, m -> m.writtenOf(symbol))
        .description("Trades acknowledged by Kafka, per configured symbol").tag("symbol", symbol).register(meters.registry()));
    }
    meters.add(FunctionCounter.builder("finnhub.trades.written", this, SinkMeters::writtenOfOthers)
      .description("Trades acknowledged by Kafka, per configured symbol").tag("symbol", MetricsVerticle.OTHER_SYMBOL)
      .register(meters.registry()));
  }

  void close() {
    if (meters.registry() instanceof PrometheusMeterRegistry prometheus) {
      prometheus.getPrometheusRegistry().unregister(this);
    }
  }

  private double writtenOf(String symbol) {
    return last.ackedBySymbol().getOrDefault(symbol, 0L);
  }

  private double writtenOfOthers() {
    long n = 0;
    for (Map.Entry<String, Long> e : last.ackedBySymbol().entrySet()) {
      if (!symbols.contains(e.getKey())) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** Called by the Prometheus registry during a scrape, on the scraping (metrics verticle's) thread. */
  @Override
  public MetricSnapshots collect() {
    SinkStatus sink = last;
    List<MetricSnapshot> out = new ArrayList<>();
    if (sink != null) {
      for (Histogram h : HISTOGRAMS) {
        out.add(histogram(h, h.value().apply(sink)));
      }
    }
    return new MetricSnapshots(out);
  }

  private HistogramSnapshot histogram(Histogram h, SinkStatus.Latency latency) {
    Set<Double> known = bounds.computeIfAbsent(h.name(), k -> new TreeSet<>());
    TreeMap<Double, Long> counts = new TreeMap<>();
    for (SinkStatus.Bucket b : latency.buckets()) {
      double bound = b.overflow() ? Double.POSITIVE_INFINITY : b.boundMs() / 1000.0;
      counts.merge(bound, b.count(), Long::sum);
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
    HistogramSnapshot.HistogramDataPointSnapshot point = HistogramSnapshot.HistogramDataPointSnapshot.builder()
      .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, perBucket)).sum(latency.sumMs() / 1000.0).build();
    return HistogramSnapshot.builder().name(h.name()).help(h.help()).dataPoint(point).build();
  }
}
