package dev.finnhubstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.support.PrometheusText;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Kafka writer's report becomes meters field by field: a short report gives the meters it can, a fuller one
 * (disk buffer, latency histograms, per-symbol acknowledgements) the rest, and the Prometheus parser reads the
 * histograms as histograms with cumulative buckets in seconds.
 */
class SinkMetersTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MeterSet meters = new MeterSet(registry);
  private final SinkMeters sinkMeters = new SinkMeters(meters, List.of("AAPL", "MSFT"));

  private List<PrometheusText.Family> scrape() throws Exception {
    return PrometheusText.parse(registry.scrape());
  }

  @Test
  @DisplayName("a short report: counters and in flight only, nothing invented for what it lacks")
  void shortReport() throws Exception {
    sinkMeters.update(new JsonObject().put("received", 10).put("acked", 7).put("failed", 1).put("in_flight", 2).put("last_error", "x"));
    List<PrometheusText.Family> families = scrape();
    assertThat(PrometheusText.samples(families, "finnhub_kafka_records_acked_total")).singleElement()
      .satisfies(s -> assertThat(s.value()).isEqualTo(7));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_in_flight")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(2));
    assertThat(families).extracting(PrometheusText.Family::name)
      .noneMatch(n -> n.contains("disk_buffer") || n.contains("latency") || n.contains("trades_written"));
  }

  @Test
  @DisplayName("a full report: disk buffer, per-symbol written (others as 'other'), ack latency as a Prometheus histogram")
  void fullReport() throws Exception {
    sinkMeters.update(new JsonObject().put("received", 10).put("acked", 7).put("failed", 0).put("in_flight_records", 3).put("mode", "DIRECT")
      .put("disk_buffer", new JsonObject().put("bytes", 4096).put("records", 12).put("max_bytes", 1 << 20).put("spilled", 20).put("dropped", 0))
      .put("acked_by_symbol", new JsonObject().put("AAPL", 4).put("MSFT", 1).put("GOOG", 2))
      .put("ack_latency_ms", new JsonObject().put("count", 6).put("sum_ms", 400_013)
        .put("buckets", new JsonObject().put("<=1", 3).put("<=5", 2).put(">300000", 1))));
    sinkMeters.update(new JsonObject().put("received", 10).put("acked", 7).put("failed", 0).put("in_flight_records", 3)
      .put("disk_buffer", new JsonObject().put("bytes", 4096).put("records", 12).put("max_bytes", 1 << 20).put("spilled", 20).put("dropped", 0))
      .put("acked_by_symbol", new JsonObject().put("AAPL", 4).put("MSFT", 1).put("GOOG", 2))
      .put("ack_latency_ms", new JsonObject().put("count", 7).put("sum_ms", 400_014)
        .put("buckets", new JsonObject().put("<=1", 4).put("<=5", 2).put(">300000", 1))));
    List<PrometheusText.Family> families = scrape();
    assertThat(PrometheusText.samples(families, "finnhub_kafka_in_flight")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(3));
    assertThat(PrometheusText.samples(families, "finnhub_kafka_disk_buffer_bytes")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(4096));
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
  }
}
