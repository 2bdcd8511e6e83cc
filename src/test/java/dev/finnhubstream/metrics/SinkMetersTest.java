package dev.finnhubstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.sink.SinkStatus;
import dev.finnhubstream.support.PrometheusText;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Kafka writer's report becomes meters: none of the writer's meters before its first report (only in flight,
 * at 0), all of them after, and the Prometheus parser reads the latency histograms as histograms with cumulative
 * buckets in seconds.
 */
class SinkMetersTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MeterSet meters = new MeterSet(registry);
  private final SinkMeters sinkMeters = new SinkMeters(meters, List.of("AAPL", "MSFT"));

  private List<PrometheusText.Family> scrape() throws Exception {
    return PrometheusText.parse(registry.scrape());
  }

  private static SinkStatus report(long ackCount, long ackSumMs, List<SinkStatus.Bucket> ackBuckets) {
    return new SinkStatus(new SinkStatus.Delivery("DIRECT", 512, 256, 3, 1, 0,
      new SinkStatus.DiskBufferStatus(4096, 12, 1 << 20, 20, 8, 0, 0, null)), "trades", "trades.dlq", "127.0.0.1:9092",
      10, 7, 0, false, 0, 0, 0, new SinkStatus.Limits(1, 1, 2, 3), new SinkStatus.DeadLetters(2, 2, Map.of("malformed:x", 2L)),
      new SinkStatus.Latency(ackCount, 1L, 5L, 5L, 400_000L, ackSumMs, ackBuckets),
      new SinkStatus.Latency(0, null, null, null, null, 0, List.of()), Map.of("AAPL", 4L, "MSFT", 1L, "GOOG", 2L), null);
  }

  @Test
  @DisplayName("before the writer's first report: in flight at 0, and no writer meter with a made-up value")
  void beforeTheFirstReport() throws Exception {
    List<PrometheusText.Family> families = scrape();
    assertThat(PrometheusText.samples(families, "finnhub_kafka_in_flight")).singleElement().satisfies(s -> assertThat(s.value()).isZero());
    assertThat(families).extracting(PrometheusText.Family::name)
      .noneMatch(n -> n.contains("records") || n.contains("disk_buffer") || n.contains("latency") || n.contains("trades_written"));
  }

  @Test
  @DisplayName("a report: counters, disk buffer, per-symbol written (others as 'other'), ack latency as a Prometheus histogram")
  void report() throws Exception {
    sinkMeters.update(report(6, 400_013, List.of(new SinkStatus.Bucket(1, false, 3), new SinkStatus.Bucket(5, false, 2),
      new SinkStatus.Bucket(300_000, true, 1))));
    sinkMeters.update(report(7, 400_014, List.of(new SinkStatus.Bucket(1, false, 4), new SinkStatus.Bucket(5, false, 2),
      new SinkStatus.Bucket(300_000, true, 1))));
    List<PrometheusText.Family> families = scrape();
    assertThat(PrometheusText.samples(families, "finnhub_kafka_records_acked_total")).singleElement()
      .satisfies(s -> assertThat(s.value()).isEqualTo(7));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_dead_letters_acked_total")).singleElement()
      .satisfies(s -> assertThat(s.value()).isEqualTo(2));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_in_flight")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(3));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_queued_bytes")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(512));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_disk_buffer_bytes")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(4096));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_disk_buffer_records")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(12));
    assertThat(PrometheusText.samples(families, "finnhub_trades_written_total"))
      .extracting(s -> s.labels().get("symbol") + "=" + (long) s.value()).containsExactlyInAnyOrder("AAPL=4", "MSFT=1", "other=2");

    PrometheusText.Family histogram = families.stream().filter(f -> f.name().equals("finnhub_kafka_ack_latency_seconds")).findFirst().orElseThrow();
    assertThat(histogram.type()).isEqualTo("histogram");
    assertThat(PrometheusText.samples(families, "finnhub_kafka_ack_latency_seconds_bucket"))
      .extracting(s -> s.labels().get("le") + "=" + (long) s.value())
      .containsExactly("0.001=4", "0.005=6", "+Inf=7");
    assertThat(PrometheusText.samples(families, "finnhub_kafka_ack_latency_seconds_count")).singleElement()
      .satisfies(s -> assertThat(s.value()).isEqualTo(7));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_ack_latency_seconds_sum")).singleElement()
      .satisfies(s -> assertThat(s.value()).isEqualTo(400.014));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_send_latency_seconds_count")).singleElement()
      .satisfies(s -> assertThat(s.value()).isZero());
  }
}
