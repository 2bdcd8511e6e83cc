package dev.finnhubstream.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HaVerticleTest {

  private static AppConfig threeKeys() throws Exception {
    JsonObject committed = new JsonObject(Files.readString(Path.of("conf/app.json")));
    return ConfigResolver.resolve(committed, "conf/app.json", Map.of("FINNHUB_TOKEN", "k1,k2,k3", "HA_ENABLED", "true"));
  }

  private static SlotHealth health(List<Integer> borrowed, List<Integer> lent) {
    return new SlotHealth("h", 1, true, 0, 50, 0, borrowed, lent);
  }

  @Test
  @DisplayName("a key taken over keeps lent what its previous owner lent and what another slot still borrows of it, nothing else")
  void takenOverKeyKeepsLentOut() throws Exception {
    AppConfig cfg = threeKeys();
    List<String> symbols = cfg.finnhub().symbols();
    List<String> shard1 = cfg.finnhub().shard(1);
    assertThat(shard1).hasSizeGreaterThanOrEqualTo(2);
    int first = symbols.indexOf(shard1.get(0));
    int second = symbols.indexOf(shard1.get(1));
    int otherKeys = symbols.indexOf(cfg.finnhub().shard(0).get(0));
    HaVerticle ha = new HaVerticle(cfg, new KeySlots(cfg.ha()), List.of("key-1", "key-2", "key-3"), new SlotHealthBoard());

    // The previous owner of slot 1 lent `first`; slot 2 still borrows `second` (a recall under way) and a symbol of key 0.
    SlotHealthBoard.View view = new SlotHealthBoard.View(0, Map.of(
      1, health(List.of(), List.of(first)),
      2, health(List.of(second, otherKeys), List.of())));
    assertThat(ha.lentOut(1, view)).containsExactlyInAnyOrder(shard1.get(0), shard1.get(1));
    assertThat(ha.lentOut(0, view)).containsExactly(symbols.get(otherKeys));
    assertThat(ha.lentOut(2, view)).isEmpty();

    // Owners that do not re-share publish no health: nothing is lent; nor is anything without a view.
    SlotHealthBoard.View plain = new SlotHealthBoard.View(0, Map.of(1, new SlotHealth("h", 1, false, 0, 0, 0, List.of(), List.of())));
    assertThat(ha.lentOut(1, plain)).isEmpty();
    assertThat(ha.lentOut(1, null)).isEmpty();
  }
}
