package dev.finnhubstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.ingest.FinnhubFrameParser;
import dev.finnhubstream.ingest.FinnhubMessage;
import dev.finnhubstream.reliability.FrameFuzzer.Case;
import dev.finnhubstream.reliability.FrameFuzzer.GeneratedTrade;
import dev.finnhubstream.reliability.FrameFuzzer.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the Finnhub frame parser with {@link FrameFuzzer}: valid frames mutated in every way a broken or hostile
 * feed could (see {@link Kind}), plus random bytes. For every input the parser must return a classified message
 * without throwing, within a bounded time, where every trade is well formed and every rejected element and malformed
 * frame carries a reason from the documented vocabulary; where the mutation makes the outcome knowable (a removed
 * field, a wrong type, a duplicate key...), exactly that outcome.
 *
 * <p>CI runs {@value #DEFAULT_TRIES} cases (a few seconds); {@code -Dfuzz.tries=5000000} runs more, {@code -Dfuzz.seed=N}
 * repeats a run (the seed is in the failure message and in the reliability row).
 */
class FrameFuzzTest {

  static final int DEFAULT_TRIES = 300_000;
  private static final int TRIES = Integer.getInteger("fuzz.tries", DEFAULT_TRIES);
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  /** Generous: a frame takes microseconds; this only catches a hang or a quadratic blow-up. */
  private static final long MAX_NANOS_PER_FRAME = 2_000_000_000L;
  private static final Pattern MALFORMED = Pattern.compile(
    "not_a_json_object|trailing_content|missing_type|trade_without_data_array|invalid_json|duplicate_key:data");
  private static final Pattern REJECTED = Pattern.compile("not_an_object|(missing_field|wrong_type|invalid_value|duplicate_field):[stpvc]");
  private static final String PREFIX = "fuzz-9-";

  private final FinnhubFrameParser parser = new FinnhubFrameParser();

  @Test
  @DisplayName("fuzzed frames: never an exception, never a hang, only well-formed trades, every bad input classified")
  void fuzzedFrames() {
    FrameFuzzer fuzzer = new FrameFuzzer(SEED);
    Map<Kind, Integer> perKind = new EnumMap<>(Kind.class);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    long[] nanos = new long[TRIES];
    long trades = 0;
    long rejected = 0;
    for (int i = 0; i < TRIES; i++) {
      Case c = fuzzer.next();
      perKind.merge(c.kind(), 1, Integer::sum);
      FinnhubMessage m;
      long t0 = System.nanoTime();
      try {
        m = parser.parse(c.frame(), 42, PREFIX);
      } catch (Throwable e) {
        failures.add(describe(c, "threw " + e));
        continue;
      } finally {
        nanos[i] = System.nanoTime() - t0;
      }
      outcomes.merge(m == null ? "null" : m.getClass().getSimpleName()
        + (m instanceof FinnhubMessage.Malformed bad ? ":" + bad.reason() : ""), 1, Integer::sum);
      String problem = check(c, m);
      if (problem != null && failures.size() < 20) {
        failures.add(describe(c, problem));
      }
      if (m instanceof FinnhubMessage.Trades t) {
        trades += t.trades().size();
        rejected += t.rejected().size();
      }
    }
    Arrays.sort(nanos);
    long p999 = nanos[(int) (nanos.length * 0.999)];
    long max = nanos[nanos.length - 1];
    new ScenarioResult("Bad input", "bad-input-fuzzed-frames-parser",
      String.format("%,d generated frames: valid frames mutated %d ways (bit flips, cuts, splices, type swaps, huge numbers, NaN/Infinity,"
        + " nesting to 20,000, escaped unicode, duplicate and missing and extra keys, wrong frame shapes) and random bytes", TRIES,
        Kind.values().length - 1),
      "the parser never throws or hangs; only well-formed trades; every bad frame or element classified with its reason",
      -1, -1, -1, -1, -1, rejected, -1, -1, TRIES, failures.isEmpty() && max < MAX_NANOS_PER_FRAME,
      String.format("seed %d; %,d trades parsed, %,d elements rejected; outcomes %s; parse time p99.9 %.1f us, max %.1f ms; %d violations",
        SEED, trades, rejected, outcomes, p999 / 1e3, max / 1e6, failures.size())).write();
    assertThat(failures).as("seed %d (repeat with -Dfuzz.seed=%d)", SEED, SEED).isEmpty();
    assertThat(max).as("slowest frame, ns").isLessThan(MAX_NANOS_PER_FRAME);
    assertThat(perKind).as("every kind of mutation was generated").hasSize(Kind.values().length);
  }

  /** Null when the outcome is right, else what is wrong. */
  private static String check(Case c, FinnhubMessage m) {
    if (m == null) {
      return "null message";
    }
    String general = invariants(m);
    if (general != null) {
      return general;
    }
    if (c.anyOutcome()) {
      return null;
    }
    if (c.malformed() != null) {
      return m instanceof FinnhubMessage.Malformed bad && (c.malformed().equals("*") || c.malformed().equals(bad.reason())) ? null
        : "expected Malformed(" + c.malformed() + "), got " + m;
    }
    if (c.orMalformed() && m instanceof FinnhubMessage.Malformed bad) {
      return bad.reason().equals("invalid_json") ? null : "expected the trades or Malformed(invalid_json), got " + m;
    }
    if (!(m instanceof FinnhubMessage.Trades t)) {
      return "expected Trades, got " + m;
    }
    List<String> expectedRejects = c.rejectIndex() < 0 ? List.of() : List.of(c.rejectIndex() + ":" + c.rejectReason());
    List<String> actualRejects = t.rejected().stream().map(r -> r.index() + ":" + r.reason()).toList();
    if (!actualRejects.equals(expectedRejects)) {
      return "expected rejected " + expectedRejects + ", got " + actualRejects;
    }
    List<Trade> got = t.trades();
    int n = 0;
    for (int i = 0; i < c.trades().size(); i++) {
      if (i == c.rejectIndex()) {
        continue;
      }
      GeneratedTrade want = c.trades().get(i);
      if (n >= got.size()) {
        return "trade " + i + " missing";
      }
      Trade out = got.get(n++);
      if (!out.symbol().equals(want.symbol()) || out.tradeTsMs() != want.ts() || out.price() != want.price()
        || out.volume() != want.volume() || !out.conditions().equals(want.conditions()) || !out.ingestId().equals(PREFIX + i)) {
        return "trade " + i + " came back as " + out + ", sent " + want;
      }
    }
    return n == got.size() ? null : "more trades than sent: " + got;
  }

  /** What holds for every input: well-formed trades with unique ids by element index, reasons from the vocabulary. */
  private static String invariants(FinnhubMessage m) {
    if (m instanceof FinnhubMessage.Malformed bad) {
      return MALFORMED.matcher(bad.reason()).matches() ? null : "unknown malformed reason " + bad.reason();
    }
    if (!(m instanceof FinnhubMessage.Trades t)) {
      return null; // Ping, ServerError, Unknown: classified
    }
    Set<Integer> indexes = new HashSet<>();
    for (Trade trade : t.trades()) {
      if (trade.symbol() == null || trade.symbol().isEmpty() || trade.tradeTsMs() <= 0 || !Double.isFinite(trade.price())
        || trade.price() < 0 || !Double.isFinite(trade.volume()) || trade.volume() < 0 || trade.conditions() == null
        || trade.receivedAtMs() != 42 || !trade.ingestId().startsWith(PREFIX)) {
        return "ill-formed trade " + trade;
      }
      if (!indexes.add(Integer.parseInt(trade.ingestId().substring(PREFIX.length())))) {
        return "ingest id used twice: " + trade.ingestId();
      }
    }
    for (FinnhubMessage.RejectedTrade r : t.rejected()) {
      if (!REJECTED.matcher(r.reason()).matches()) {
        return "unknown rejection reason " + r.reason();
      }
      if (!indexes.add(r.index())) {
        return "element " + r.index() + " both a trade and rejected, or rejected twice";
      }
    }
    return null;
  }

  private static String describe(Case c, String problem) {
    String frame = c.frame().length() > 300 ? c.frame().substring(0, 300) + "…(" + c.frame().length() + " chars)" : c.frame();
    return c.kind() + ": " + problem + "\n    frame: " + frame;
  }
}
