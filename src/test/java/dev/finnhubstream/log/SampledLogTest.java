package dev.finnhubstream.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SampledLogTest {

  @Test
  @DisplayName("logs the first ten occurrences, then only the powers of two")
  void firstTenThenPowersOfTwo() {
    assertThat(LongStream.rangeClosed(1, 1_100).filter(SampledLog::shouldLog).boxed())
      .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 16L, 32L, 64L, 128L, 256L, 512L, 1024L);
  }

  @Test
  @DisplayName("a storm of a million occurrences costs twenty-six lines")
  void stormStaysSmall() {
    assertThat(LongStream.rangeClosed(1, 1_000_000).filter(SampledLog::shouldLog).count()).isEqualTo(10 + 16);
  }
}
