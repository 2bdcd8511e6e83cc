package dev.finnhubstream.gaps;

import static dev.finnhubstream.gaps.GapReason.DISCONNECTED;
import static dev.finnhubstream.gaps.GapReason.INVALID_SYMBOL;
import static dev.finnhubstream.gaps.GapReason.KEY_REJECTED;
import static dev.finnhubstream.gaps.GapReason.OVER_CAP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.FeedGap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Subscription views on a hand-driven clock → exact gap intervals. */
class GapTrackerTest {

  private static final long START = 1_000;
  private final List<FeedGap> events = new ArrayList<>();
  private final GapTracker tracker = new GapTracker("key-1", START, events::add);

  /** A view: pairs of symbol and reason, {@code null} for subscribed. */
  private static Map<String, GapReason> view(Object... pairs) {
    Map<String, GapReason> v = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      v.put((String) pairs[i], (GapReason) pairs[i + 1]);
    }
    return v;
  }

  private List<FeedGap> closed() {
    return events.stream().filter(g -> !g.open()).toList();
  }

  private static String interval(FeedGap g) {
    return g.symbols() + " " + g.fromMs() + ".." + g.toMs() + " " + g.reason();
  }

  @Test
  @DisplayName("the first connection: symbols are without subscription from the run's start until each subscribe is sent")
  void startUntilSubscribed() {
    tracker.observe(1_010, view("A", DISCONNECTED, "B", DISCONNECTED));   // connecting
    tracker.observe(1_300, view("A", DISCONNECTED, "B", DISCONNECTED));   // connected, nothing sent yet
    tracker.observe(1_301, view("A", null, "B", DISCONNECTED));
    tracker.observe(1_401, view("A", null, "B", null));
    assertThat(closed()).extracting(GapTrackerTest::interval)
      .containsExactly("[A] 1000..1301 starting", "[B] 1000..1401 starting");
    assertThat(events.get(0)).satisfies(g -> {
      assertThat(g.open()).isTrue();
      assertThat(g.symbols()).containsExactly("A", "B");
    });
    assertThat(tracker.openReasons()).isEmpty();
  }

  @Test
  @DisplayName("a disconnect opens one gap for every subscribed symbol, closed per symbol when its subscribe is sent again")
  void disconnectUntilResubscribed() {
    tracker.observe(1_000, view("A", null, "B", null));
    tracker.observe(5_000, view("A", DISCONNECTED, "B", DISCONNECTED));  // dropped
    tracker.observe(6_000, view("A", DISCONNECTED, "B", DISCONNECTED));  // reconnecting, connected
    tracker.observe(6_050, view("A", null, "B", DISCONNECTED));
    tracker.observe(6_150, view("A", null, "B", null));
    assertThat(closed()).extracting(GapTrackerTest::interval)
      .containsExactly("[A] 5000..6050 disconnected", "[B] 5000..6150 disconnected");
  }

  @Test
  @DisplayName("symbols whose gaps start and end together are one record, with a stable id")
  void togetherIsOneRecord() {
    tracker.observe(1_000, view("A", null, "B", null));
    tracker.observe(2_000, view("A", KEY_REJECTED, "B", KEY_REJECTED));
    tracker.observe(3_000, view("A", null, "B", null));
    assertThat(closed()).extracting(GapTrackerTest::interval).containsExactly("[A, B] 2000..3000 key_rejected");
    FeedGap g = closed().get(0);
    assertThat(g.gapId()).isEqualTo(GapTracker.gapId("key-1", List.of("A", "B"), 2_000, 3_000, "key_rejected"))
      .isNotEqualTo(GapTracker.gapId("key-1", List.of("A", "B"), 2_000, 3_001, "key_rejected"));
  }

  @Test
  @DisplayName("a change of reason ends one gap and starts the next at the same millisecond: contiguous, never overlapping")
  void reasonChangeSplits() {
    tracker.observe(1_000, view("A", null));
    tracker.observe(2_000, view("A", DISCONNECTED));   // dropped
    tracker.observe(2_500, view("A", KEY_REJECTED));   // 401 at the reconnect
    tracker.observe(9_000, view("A", DISCONNECTED));   // retrying, connected
    tracker.observe(9_100, view("A", null));
    assertThat(closed()).extracting(GapTrackerTest::interval).containsExactly(
      "[A] 2000..2500 disconnected", "[A] 2500..9000 key_rejected", "[A] 9000..9100 disconnected");
  }

  @Test
  @DisplayName("the start-up reason stays through the first connection attempts and gives way to a specific one")
  void startUpReasonIsSticky() {
    tracker.observe(1_010, view("A", DISCONNECTED, "B", DISCONNECTED));
    tracker.observe(1_500, view("A", DISCONNECTED, "B", DISCONNECTED)); // backoff, connecting again
    tracker.observe(2_000, view("A", null, "B", OVER_CAP));
    // A subscribed and B refused over cap in the same view: their start-up gaps end together, one record.
    assertThat(closed()).extracting(GapTrackerTest::interval).containsExactly("[A, B] 1000..2000 starting");
    assertThat(tracker.openReasons()).containsExactly(Map.entry("B", OVER_CAP));
  }

  @Test
  @DisplayName("over cap and invalid symbols have gaps of their own while the rest stream; a quiet subscribed symbol has none")
  void perSymbolReasons() {
    tracker.observe(1_000, view("A", null, "B", null, "C", null));
    tracker.observe(1_200, view("A", null, "B", OVER_CAP, "C", null));
    tracker.observe(1_300, view("A", null, "B", OVER_CAP, "C", INVALID_SYMBOL));
    tracker.observe(60_000, view("A", null, "B", null, "C", INVALID_SYMBOL));
    assertThat(closed()).extracting(GapTrackerTest::interval).containsExactly("[B] 1200..60000 over_cap");
    assertThat(tracker.openReasons()).containsExactly(Map.entry("C", INVALID_SYMBOL));
    assertThat(events).noneMatch(g -> g.symbols().contains("A"));
  }

  @Test
  @DisplayName("a symbol removed, or no longer this connection's (standby, stopped), has its gap closed there")
  void noLongerOursClosesTheGap() {
    tracker.observe(1_000, view("A", null, "B", null));
    tracker.observe(2_000, view("A", DISCONNECTED, "B", DISCONNECTED));
    tracker.observe(2_400, view("A", DISCONNECTED));     // B removed at runtime
    tracker.closeAll(3_000);                           // the connection stops
    assertThat(closed()).extracting(GapTrackerTest::interval)
      .containsExactly("[B] 2000..2400 disconnected", "[A] 2000..3000 disconnected");
    assertThat(tracker.openReasons()).isEmpty();
  }

  @Test
  @DisplayName("a symbol added at runtime that waits for its subscribe has a gap from its addition, not from the start")
  void addedAtRuntime() {
    tracker.observe(1_000, view("A", null));
    tracker.observe(5_000, view("A", null, "N", DISCONNECTED));
    tracker.observe(5_100, view("A", null, "N", null));
    assertThat(closed()).extracting(GapTrackerTest::interval).containsExactly("[N] 5000..5100 disconnected");
  }
}
