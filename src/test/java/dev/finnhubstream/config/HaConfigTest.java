package dev.finnhubstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The {@code ha} section: off by default, its timing rules, and the key count against the slots. */
class HaConfigTest {

  private static JsonObject withHa(Map<String, Object> ha) throws Exception {
    JsonObject root = new JsonObject(Files.readString(Path.of("conf/app.json")));
    ha.forEach(root.getJsonObject("common").getJsonObject("ha")::put);
    return root;
  }

  private static HaConfig resolve(Map<String, Object> ha, Map<String, String> env) throws Exception {
    return ConfigResolver.resolve(withHa(ha), "conf/app.json", env).ha();
  }

  @Test
  @DisplayName("off by default; the group is one per environment; HA_ENABLED, HA_GROUP_ID and HA_ON_LEASE_LOSS override")
  void defaultsAndOverrides() throws Exception {
    HaConfig off = resolve(Map.of(), Map.of());
    assertThat(off.enabled()).isFalse();
    assertThat(off.groupId()).isEqualTo("finnhub-stream-local");
    assertThat(off.onLeaseLoss()).isEqualTo(HaConfig.LeaseLossPolicy.KEEP_OPEN);
    assertThat(off.leaseMs()).isEqualTo(off.sessionTimeoutMs() - off.fenceMarginMs());
    HaConfig on = resolve(Map.of(), Map.of("HA_ENABLED", "true", "HA_GROUP_ID", "g1", "HA_ON_LEASE_LOSS", "fence"));
    assertThat(on.enabled()).isTrue();
    assertThat(on.groupId()).isEqualTo("g1");
    assertThat(on.onLeaseLoss()).isEqualTo(HaConfig.LeaseLossPolicy.FENCE);
  }

  @Test
  @DisplayName("a heartbeat above a third of the session, a margin not below it, a renewal not below the margin: each refused, naming the key and the fix")
  void timingRules() {
    assertThatThrownBy(() -> resolve(Map.of("session_timeout_ms", 6_000, "heartbeat_interval_ms", 2_500), Map.of()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("heartbeat_interval_ms").hasMessageContaining("at most 2000");
    assertThatThrownBy(() -> resolve(Map.of("session_timeout_ms", 6_000, "heartbeat_interval_ms", 1_000, "fence_margin_ms", 6_000), Map.of()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("fence_margin_ms");
    assertThatThrownBy(() -> resolve(Map.of("fence_margin_ms", 1_000, "confirm_interval_ms", 1_000), Map.of()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("confirm_interval_ms").hasMessageContaining("one late renewal");
  }

  @Test
  @DisplayName("with HA on, more keys than slots stops start-up; with HA off the slots do not matter")
  void keysWithinSlots() throws Exception {
    Map<String, String> threeKeys = Map.of("FINNHUB_TOKEN", "a,b,c", "HA_ENABLED", "true");
    assertThatThrownBy(() -> resolve(Map.of("slots", 2), threeKeys))
      .isInstanceOf(ConfigException.class).hasMessageContaining("2 slots for 3 keys").hasMessageContaining("raise ha.slots to at least 3");
    assertThat(resolve(Map.of("slots", 3), threeKeys).slots()).isEqualTo(3);
    assertThat(resolve(Map.of("slots", 2), Map.of("FINNHUB_TOKEN", "a,b,c")).enabled()).isFalse();
  }

  @Test
  @DisplayName("HA_ENABLED must be true or false")
  void booleanOverride() {
    assertThatThrownBy(() -> resolve(Map.of(), Map.of("HA_ENABLED", "yes")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("HA_ENABLED");
  }
}
