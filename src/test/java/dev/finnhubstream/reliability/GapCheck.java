package dev.finnhubstream.reliability;

import dev.finnhubstream.emulator.SubscriptionSpan;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service's gap records against the emulator's own record of when it streamed each symbol
 * ({@link SubscriptionSpan}): per symbol, every interval in which the emulator streamed nothing to the service must
 * be one recorded gap (a run of contiguous gap records), with its start and end within the tolerance, and no gap
 * may be recorded while the emulator streamed. The time before a symbol's first subscription has no start on the
 * emulator's side (the service was starting): only its end is compared.
 *
 * @param emulatorGaps    intervals without a subscription on the emulator's side, the first one per symbol included
 * @param recordedGaps    gap records read
 * @param worstStartMs    largest |recorded start − emulator start| over the matched gaps (-1 if none)
 * @param worstEndMs      largest |recorded end − emulator end|
 * @param tradesInGaps    trades the service received strictly inside a recorded gap (after its start's tolerance)
 * @param problems        what did not match, one line each; empty when every gap matched
 * @param reasons         recorded gaps per reason
 */
record GapCheck(int emulatorGaps, int recordedGaps, long worstStartMs, long worstEndMs, long tradesInGaps, List<String> problems,
                Map<String, Integer> reasons) {

  private record Interval(long from, long to) {
  }

  /**
   * @param spans       the emulator's subscriptions
   * @param gaps        the gap topic's records (duplicates allowed: by gap id)
   * @param trades      the trades topic's records (symbol, received_at_ms)
   * @param untilMs     the end of the comparison (now): open spans end here
   * @param toleranceMs what a start or an end may be off by
   * @param crashStartToleranceMs what a {@code crashed} gap's start may be early by (it starts at the last checkpoint)
   */
  static GapCheck compare(List<SubscriptionSpan> spans, List<JsonObject> gaps, List<JsonObject> trades, long untilMs,
                          long toleranceMs, long crashStartToleranceMs) {
    Map<String, JsonObject> byId = new TreeMap<>();
    gaps.forEach(g -> byId.put(g.getString("gap_id"), g));
    Map<String, List<Interval>> recorded = new TreeMap<>();
    Map<String, Integer> reasons = new TreeMap<>();
    Map<String, List<long[]>> inside = new TreeMap<>(); // symbol -> [from + start tolerance, to]
    for (JsonObject g : byId.values()) {
      reasons.merge(g.getString("reason"), 1, Integer::sum);
      long startTolerance = "crashed".equals(g.getString("reason")) ? crashStartToleranceMs : toleranceMs;
      for (Object s : g.getJsonArray("symbols")) {
        recorded.computeIfAbsent((String) s, k -> new ArrayList<>()).add(new Interval(g.getLong("from_ms"), g.getLong("to_ms")));
        inside.computeIfAbsent((String) s, k -> new ArrayList<>()).add(new long[] {g.getLong("from_ms") + startTolerance, g.getLong("to_ms")});
      }
    }
    Map<String, List<Interval>> live = new TreeMap<>();
    for (SubscriptionSpan span : spans) {
      live.computeIfAbsent(span.symbol(), k -> new ArrayList<>())
        .add(new Interval(span.fromMs(), span.toMs() == SubscriptionSpan.OPEN ? untilMs : span.toMs()));
    }
    List<String> problems = new ArrayList<>();
    long worstStart = -1;
    long worstEnd = -1;
    int emulatorGaps = 0;
    for (Map.Entry<String, List<Interval>> e : live.entrySet()) {
      String symbol = e.getKey();
      List<Interval> streamed = merge(e.getValue(), 0);
      List<Interval> service = merge(recorded.getOrDefault(symbol, List.of()), 1);
      // The emulator's gaps: before the first subscription (no start), then between subscriptions.
      List<Interval> expected = new ArrayList<>();
      expected.add(new Interval(Long.MIN_VALUE, streamed.get(0).from()));
      for (int i = 0; i + 1 < streamed.size(); i++) {
        expected.add(new Interval(streamed.get(i).to(), streamed.get(i + 1).from()));
      }
      if (streamed.get(streamed.size() - 1).to() < untilMs) {
        problems.add(symbol + ": not streamed since " + streamed.get(streamed.size() - 1).to() + " (a gap still open at the end)");
      }
      emulatorGaps += expected.size();
      List<Interval> unmatched = new ArrayList<>(service);
      for (Interval want : expected) {
        boolean first = want.from() == Long.MIN_VALUE;
        Interval got = unmatched.stream().filter(c -> c.from() <= want.to() + toleranceMs
          && (first ? c.from() < want.to() : c.to() >= want.from() - toleranceMs)).findFirst().orElse(null);
        if (got == null) {
          problems.add(String.format(Locale.ROOT, "%s: no recorded gap for %s..%d", symbol,
            first ? "start" : Long.toString(want.from()), want.to()));
          continue;
        }
        unmatched.remove(got);
        long endError = Math.abs(got.to() - want.to());
        worstEnd = Math.max(worstEnd, endError);
        if (endError > toleranceMs) {
          problems.add(String.format(Locale.ROOT, "%s: gap ends at %d, the emulator's at %d", symbol, got.to(), want.to()));
        }
        if (!first) {
          long startError = got.from() - want.from();
          worstStart = Math.max(worstStart, Math.abs(startError));
          if (startError > toleranceMs || -startError > Math.max(toleranceMs, crashStartToleranceMs)) {
            problems.add(String.format(Locale.ROOT, "%s: gap starts at %d, the emulator's at %d", symbol, got.from(), want.from()));
          }
        }
      }
      unmatched.forEach(c -> problems.add(String.format(Locale.ROOT, "%s: gap %d..%d recorded while the emulator streamed",
        symbol, c.from(), c.to())));
    }
    long tradesInGaps = 0;
    for (JsonObject t : trades) {
      long at = t.getLong("received_at_ms");
      for (long[] g : inside.getOrDefault(t.getString("symbol"), List.of())) {
        if (at > g[0] && at < g[1]) {
          tradesInGaps++;
        }
      }
    }
    if (tradesInGaps > 0) {
      problems.add(tradesInGaps + " trades received inside recorded gaps");
    }
    return new GapCheck(emulatorGaps, byId.size(), worstStart, worstEnd, tradesInGaps, problems, reasons);
  }

  /** Sorted, with intervals that touch (within {@code slackMs}) or overlap joined. */
  private static List<Interval> merge(List<Interval> intervals, long slackMs) {
    List<Interval> sorted = new ArrayList<>(intervals);
    sorted.sort(Comparator.comparingLong(Interval::from));
    List<Interval> out = new ArrayList<>();
    for (Interval i : sorted) {
      Interval last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && i.from() <= last.to() + slackMs) {
        out.set(out.size() - 1, new Interval(last.from(), Math.max(last.to(), i.to())));
      } else {
        out.add(i);
      }
    }
    return out;
  }

  /** For the row's notes. */
  String summary() {
    return String.format(Locale.ROOT, "Gaps: %d intervals without a subscription on the emulator's side, %d gap records %s;"
      + " worst start error %d ms, worst end error %d ms; %d trades inside a gap%s.", emulatorGaps, recordedGaps, reasons,
      worstStartMs, worstEndMs, tradesInGaps, problems.isEmpty() ? "" : "; " + String.join("; ", problems.subList(0, Math.min(3, problems.size()))));
  }
}
