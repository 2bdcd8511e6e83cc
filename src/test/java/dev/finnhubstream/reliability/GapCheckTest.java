package dev.finnhubstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.emulator.SubscriptionSpan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The reliability suite's gap comparison finds what it is there to find. */
class GapCheckTest {

  private static final List<SubscriptionSpan> SPANS = List.of(
    new SubscriptionSpan("token#1", "A", 1_000, 5_000), new SubscriptionSpan("token#1", "A", 6_000, SubscriptionSpan.OPEN));

  private static JsonObject gap(String id, long from, long to, String reason) {
    return new JsonObject().put("gap_id", id).put("symbols", new JsonArray().add("A")).put("from_ms", from).put("to_ms", to)
      .put("reason", reason);
  }

  private static JsonObject trade(long at) {
    return new JsonObject().put("symbol", "A").put("received_at_ms", at);
  }

  @Test
  @DisplayName("matching gaps (a reason change inside one, a redelivered record) pass, with their errors measured")
  void matches() {
    GapCheck check = GapCheck.compare(SPANS, List.of(gap("s", 500, 1_010, "starting"), gap("d", 5_020, 5_300, "disconnected"),
      gap("k", 5_300, 6_030, "key_rejected"), gap("k", 5_300, 6_030, "key_rejected")), List.of(trade(4_999), trade(6_100)),
      9_000, 100, 300);
    assertThat(check.problems()).isEmpty();
    assertThat(check.recordedGaps()).isEqualTo(3);
    assertThat(check.worstStartMs()).isEqualTo(20);
    assertThat(check.worstEndMs()).isEqualTo(30);
  }

  @Test
  @DisplayName("a gap missing, one off by more than the tolerance, one while the emulator streamed, a trade inside a gap: each reported")
  void mismatches() {
    assertThat(GapCheck.compare(SPANS, List.of(gap("s", 500, 1_010, "starting")), List.of(), 9_000, 100, 300).problems())
      .singleElement().asString().contains("no recorded gap for 5000..6000");
    assertThat(GapCheck.compare(SPANS, List.of(gap("s", 500, 1_010, "starting"), gap("d", 5_000, 6_400, "disconnected")),
      List.of(), 9_000, 100, 300).problems()).singleElement().asString().contains("ends at 6400");
    assertThat(GapCheck.compare(SPANS, List.of(gap("s", 500, 1_010, "starting"), gap("d", 5_000, 6_000, "disconnected"),
      gap("x", 7_000, 7_500, "disconnected")), List.of(), 9_000, 100, 300).problems())
      .singleElement().asString().contains("7000..7500 recorded while the emulator streamed");
    assertThat(GapCheck.compare(SPANS, List.of(gap("s", 500, 1_010, "starting"), gap("d", 5_000, 6_000, "disconnected")),
      List.of(trade(5_500)), 9_000, 100, 300).problems()).singleElement().asString().contains("1 trades received inside");
  }
}
