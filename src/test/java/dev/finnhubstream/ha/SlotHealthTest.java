package dev.finnhubstream.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SlotHealthTest {

  @Test
  @DisplayName("the lease metadata round-trips the health; the fingerprint and lease time stay the first two fields")
  void roundTrip() {
    SlotHealth h = SlotHealth.of(1_700_000_000_123L, 48, 1_700_000_000_456L, List.of(1, 5), List.of());
    String metadata = h.encode("abc123", 1_700_000_001_000L);
    assertThat(metadata).isEqualTo("abc123;1700000001000;1700000000123;48;1700000000456;1,5;");
    SlotHealth back = SlotHealth.decode(metadata);
    assertThat(back).isEqualTo(new SlotHealth("abc123", 1_700_000_001_000L, true, 1_700_000_000_123L, 48, 1_700_000_000_456L,
      List.of(1, 5), List.of()));
    assertThat(metadata.split(";")[0]).isEqualTo("abc123");
  }

  @Test
  @DisplayName("an older instance's metadata is a lease without health; anything else is not a lease")
  void olderAndForeign() {
    assertThat(SlotHealth.decode("abc123;1700000001000")).isEqualTo(
      new SlotHealth("abc123", 1_700_000_001_000L, false, 0, 0, 0, List.of(), List.of()));
    assertThat(SlotHealth.decode("")).isNull();
    assertThat(SlotHealth.decode(null)).isNull();
    assertThat(SlotHealth.decode("abc;notanumber")).isNull();
    assertThat(SlotHealth.decode("abc;1;2;3")).isNull();
  }

  @Test
  @DisplayName("a key's worth of indices (50 borrowed, 50 lent out of 1,000 symbols) fits the broker's 4 KB metadata limit")
  void fitsTheLimit() {
    List<Integer> many = new ArrayList<>();
    for (int i = 950; i < 1_000; i++) {
      many.add(i);
    }
    String metadata = SlotHealth.of(Long.MAX_VALUE, 50, Long.MAX_VALUE, many, many).encode("0123456789ab", Long.MAX_VALUE);
    assertThat(metadata.length()).isLessThan(4_096);
  }
}
