package dev.finnhubstream.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KeySlotCoordinatorTest {

  private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "IC MARKETS:1");

  @Test
  @DisplayName("the configuration fingerprint: unchanged for instances without a retired key (a rolling update of the code keeps it), different with one")
  void fingerprint() throws Exception {
    // What instances released before keys could retire publish: SHA-256 of this description, its first 6 bytes.
    String before = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
      .digest("keys=4;slots=16;symbols=AAPL,MSFT,IC MARKETS:1".getBytes(StandardCharsets.UTF_8)), 0, 6);
    assertThat(KeySlotCoordinator.fingerprint(4, 16, SYMBOLS, List.of(), 0)).isEqualTo(before);
    String retired = KeySlotCoordinator.fingerprint(4, 16, SYMBOLS, List.of(1), 0);
    assertThat(retired).isNotEqualTo(before).isNotEqualTo(KeySlotCoordinator.fingerprint(4, 16, SYMBOLS, List.of(2), 0));
    assertThat(KeySlotCoordinator.fingerprint(4, 16, List.of("AAPL", "MSFT"), List.of(), 0)).isNotEqualTo(before);
    assertThat(KeySlotCoordinator.fingerprint(3, 16, SYMBOLS, List.of(), 0)).isNotEqualTo(before);
    // Re-sharding across instances: explicit, and only where there is something to re-shard.
    assertThat(KeySlotCoordinator.fingerprint(4, 16, SYMBOLS, List.of(), 60_000)).isNotEqualTo(before)
      .isNotEqualTo(KeySlotCoordinator.fingerprint(4, 16, SYMBOLS, List.of(), 30_000));
    assertThat(KeySlotCoordinator.fingerprint(1, 16, SYMBOLS, List.of(), 60_000)).isEqualTo(KeySlotCoordinator.fingerprint(1, 16, SYMBOLS, List.of(), 0));
  }
}
