package dev.finnhubstream.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 1-minute OHLCV bars computed in Java from trades in the order they were sent: the reference the
 * ClickHouse bars must equal. Open is the first print at the minute's earliest millisecond, close the
 * last print at its latest one (prints sharing a millisecond count in send order).
 */
public final class OhlcvReference {

  /** One trade print, in send order. */
  public record Print(String symbol, long tsMs, double price, double volume) {
  }

  /** One bar; {@code minute} in epoch seconds. */
  public record Bar(String symbol, long minute, double open, double high, double low, double close, double volume, long trades) {

    /** From a row with columns symbol, minute (epoch seconds), open, high, low, close, volume, trades. */
    public static Bar of(JsonObject row) {
      return new Bar(row.getString("symbol"), row.getLong("minute"), row.getDouble("open"), row.getDouble("high"),
        row.getDouble("low"), row.getDouble("close"), row.getDouble("volume"), row.getLong("trades"));
    }
  }

  private OhlcvReference() {
  }

  /** Bars ordered by symbol, then minute. */
  public static List<Bar> bars(List<Print> sent) {
    Map<String, List<Print>> groups = new LinkedHashMap<>();
    for (Print p : sent) {
      groups.computeIfAbsent(p.symbol() + "\u0000" + Math.floorDiv(p.tsMs(), 60_000), k -> new ArrayList<>()).add(p);
    }
    List<Bar> bars = new ArrayList<>();
    for (List<Print> g : groups.values()) {
      long minTs = g.stream().mapToLong(Print::tsMs).min().orElseThrow();
      long maxTs = g.stream().mapToLong(Print::tsMs).max().orElseThrow();
      Print open = g.stream().filter(p -> p.tsMs() == minTs).findFirst().orElseThrow();
      Print close = g.stream().filter(p -> p.tsMs() == maxTs).reduce((a, b) -> b).orElseThrow();
      bars.add(new Bar(open.symbol(), Math.floorDiv(open.tsMs(), 60_000) * 60, open.price(),
        g.stream().mapToDouble(Print::price).max().orElseThrow(), g.stream().mapToDouble(Print::price).min().orElseThrow(),
        close.price(), g.stream().mapToDouble(Print::volume).sum(), g.size()));
    }
    bars.sort((a, b) -> a.symbol().equals(b.symbol()) ? Long.compare(a.minute(), b.minute()) : a.symbol().compareTo(b.symbol()));
    return bars;
  }

  /** The last print per symbol (latest millisecond, last sent among prints sharing it). */
  public static Map<String, Print> latest(List<Print> sent) {
    Map<String, Print> latest = new LinkedHashMap<>();
    for (Print p : sent) {
      Print seen = latest.get(p.symbol());
      if (seen == null || p.tsMs() >= seen.tsMs()) {
        latest.put(p.symbol(), p);
      }
    }
    return latest;
  }

  /**
   * Bars equal, field by field, prices within {@code ulps} units in the last place. Volume is a sum of
   * doubles whose order differs between engines, so it may differ in the last bits.
   *
   * <p>ulps: 0 for modern ClickHouse; 1 for 18.16, whose text parser reads some decimals one unit in the
   * last place off (e.g. {@code 1.512685} as {@code 1.5126849999999998}; its SQL literals are exact).
   */
  public static void assertSameBars(List<Bar> actual, List<Bar> expected, String what, int ulps) {
    compare(actual, expected, what, true, ulps);
  }

  /** Open, high, low and close equal: what redelivered trades must not change (volume and count do). */
  public static void assertSamePrices(List<Bar> actual, List<Bar> expected, String what, int ulps) {
    compare(actual, expected, what, false, ulps);
  }

  /** {@code actual} within {@code ulps} units in the last place of {@code expected}. */
  public static boolean closeInUlps(double actual, double expected, int ulps) {
    return Math.abs(actual - expected) <= ulps * Math.ulp(expected);
  }

  private static void compare(List<Bar> actual, List<Bar> expected, String what, boolean sizes, int ulps) {
    assertThat(actual).as("%s: bars (symbol, minute)", what).extracting(Bar::symbol, Bar::minute)
      .containsExactlyElementsOf(expected.stream().map(b -> org.assertj.core.groups.Tuple.tuple(b.symbol(), b.minute())).toList());
    for (int i = 0; i < expected.size(); i++) {
      Bar a = actual.get(i);
      Bar e = expected.get(i);
      double[] got = {a.open(), a.high(), a.low(), a.close()};
      double[] want = {e.open(), e.high(), e.low(), e.close()};
      for (int k = 0; k < 4; k++) {
        assertThat(closeInUlps(got[k], want[k], ulps))
          .as("%s: %s of %s at %d is %s, expected %s", what, List.of("open", "high", "low", "close").get(k), e.symbol(), e.minute(), got[k], want[k])
          .isTrue();
      }
      if (sizes) {
        assertThat(a.trades()).as("%s: trades of %s at %d", what, e.symbol(), e.minute()).isEqualTo(e.trades());
        assertThat(a.volume()).as("%s: volume of %s at %d", what, e.symbol(), e.minute())
          .isCloseTo(e.volume(), within(1e-9 * Math.max(1, Math.abs(e.volume()))));
      }
    }
  }
}
