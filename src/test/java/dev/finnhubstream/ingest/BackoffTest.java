package dev.finnhubstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  @DisplayName("the n-th delay lies in [initial, min(max, initial * 2^n)] and reaches the cap")
  void boundsGrowToTheCap() {
    Backoff backoff = new Backoff(100, 5_000, new Random(1));
    for (int n = 0; n < 20; n++) {
      long ceiling = Math.min(5_000, 100L << n);
      assertThat(backoff.nextDelayMs()).as("attempt %d", n).isBetween(100L, ceiling);
    }
  }

  @Test
  @DisplayName("delays are jittered, not a fixed sequence")
  void jitter() {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      Backoff backoff = new Backoff(100, 60_000, new Random(i));
      for (int n = 0; n < 6; n++) {
        backoff.nextDelayMs();
      }
      seen.add(backoff.nextDelayMs());
    }
    assertThat(seen).hasSizeGreaterThan(40);
  }

  @Test
  @DisplayName("reset starts again from the initial window")
  void reset() {
    Backoff backoff = new Backoff(100, 60_000, new Random(3));
    for (int n = 0; n < 10; n++) {
      backoff.nextDelayMs();
    }
    backoff.reset();
    assertThat(backoff.nextDelayMs()).isEqualTo(100);
    assertThat(backoff.nextDelayMs()).isBetween(100L, 200L);
  }
}
