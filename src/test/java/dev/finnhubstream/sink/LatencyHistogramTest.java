package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  @DisplayName("percentiles are exact up to 10 ms and the bucket bound above; max is exact")
  void percentiles() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.percentile(0.5)).isEqualTo(-1);
    for (int i = 0; i < 98; i++) {
      h.record(i % 7);
    }
    h.record(13);
    h.record(4_321);
    assertThat(h.count()).isEqualTo(100);
    assertThat(h.percentile(0.5)).isEqualTo(3);
    assertThat(h.percentile(0.99)).isEqualTo(15);
    assertThat(h.percentile(1.0)).isEqualTo(4_321);
    SinkStatus.Latency snapshot = h.snapshot();
    assertThat(snapshot.max()).isEqualTo(4_321);
    long expectedSum = 13 + 4_321;
    for (int i = 0; i < 98; i++) {
      expectedSum += i % 7;
    }
    assertThat(snapshot.sumMs()).as("exact sum, for Prometheus' _sum").isEqualTo(expectedSum);
    assertThat(snapshot.buckets()).contains(new SinkStatus.Bucket(15, false, 1), new SinkStatus.Bucket(5_000, false, 1));
    long sum = snapshot.buckets().stream().mapToLong(SinkStatus.Bucket::count).sum();
    assertThat(sum).isEqualTo(100);
  }

  @Test
  @DisplayName("negative differences (clock steps) count as 0; huge ones land in the overflow bucket")
  void edges() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-5);
    h.record(10_000_000);
    assertThat(h.snapshot().buckets()).containsExactly(new SinkStatus.Bucket(0, false, 1), new SinkStatus.Bucket(300_000, true, 1));
    assertThat(h.percentile(1.0)).isEqualTo(10_000_000);
  }
}
