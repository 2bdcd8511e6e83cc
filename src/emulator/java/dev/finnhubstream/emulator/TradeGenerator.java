package dev.finnhubstream.emulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded source of realistic trade content. It deliberately produces every shape a Finnhub client must
 * survive (finnhub-protocol.md §4.1 and §9.7): {@code c} absent, empty or filled; {@code v} zero,
 * fractional or whole; several prints of one symbol in one millisecond, including identical ones; several
 * symbols in one frame.
 *
 * <p>Not thread-safe: the emulator uses it from its event loop only.
 */
final class TradeGenerator {

  private static final List<String> CONDITION_CODES = List.of("1", "8", "12", "24", "37", "41");
  private static final double START_PRICE = 100;
  /** Pull towards the start price, in log space, so prices stay "around 100" over billions of trades. */
  private static final double MEAN_REVERSION = 1e-5;
  private static final double LOG_STEP = 0.0006;
  private static final double MIN_CRYPTO_VOLUME = 0.001;
  private static final double MAX_CRYPTO_VOLUME = 5;

  private final SplittableRandom random;
  private final Map<String, SymbolState> states = new HashMap<>();

  TradeGenerator(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A frame size between 1 and {@code max}, both inclusive. */
  int frameSize(int max) {
    return 1 + random.nextInt(max);
  }

  /**
   * {@code count} trades over {@code symbols} (which must not be empty), all at {@code nowMs} or later.
   */
  List<EmulatedTrade> trades(List<String> symbols, int count, long nowMs) {
    List<EmulatedTrade> trades = new ArrayList<>(count);
    EmulatedTrade previous = null;
    for (int i = 0; i < count; i++) {
      int roll = random.nextInt(100);
      if (previous != null && roll < 3) {
        // Identical (s, t, p, v, c) rows are legitimate distinct prints on Finnhub; clients must keep both.
        trades.add(previous);
        continue;
      }
      String symbol = previous != null && roll < 28
        ? previous.symbol()
        : symbols.get(random.nextInt(symbols.size()));
      previous = next(symbol, nowMs);
      trades.add(previous);
    }
    return trades;
  }

  private EmulatedTrade next(String symbol, long nowMs) {
    SymbolState state = states.computeIfAbsent(symbol, this::newState);
    // Finnhub's t is per-symbol non-decreasing; the wall clock may step back, the emitted t must not.
    long t = Math.max(nowMs, state.lastT);
    state.lastT = t;
    state.logPrice += MEAN_REVERSION * (state.logStart - state.logPrice) + LOG_STEP * (2 * random.nextDouble() - 1);
    int decimals = state.crypto ? 4 : 2;
    double p = Math.max(Math.pow(10, -decimals), round(Math.exp(state.logPrice), decimals));
    return new EmulatedTrade(symbol, t, p, volume(state.crypto), state.crypto ? null : conditions());
  }

  private SymbolState newState(String symbol) {
    // "EXCHANGE:PAIR" and "BROKER:PAIR" symbols are crypto or FX (finnhub-protocol.md §7): no conditions,
    // fractional sizes.
    boolean crypto = symbol.indexOf(':') >= 0;
    double start = Math.log(START_PRICE * (0.8 + 0.4 * random.nextDouble()));
    return new SymbolState(crypto, start);
  }

  private double volume(boolean crypto) {
    int roll = random.nextInt(100);
    if (roll < 5) {
      return 0; // price-only update, valid on Finnhub
    }
    if (crypto) {
      double logMin = Math.log(MIN_CRYPTO_VOLUME);
      double v = Math.exp(logMin + random.nextDouble() * (Math.log(MAX_CRYPTO_VOLUME) - logMin));
      return Math.max(MIN_CRYPTO_VOLUME, round(v, 6));
    }
    if (roll < 60) {
      return 1 + random.nextInt(9);
    }
    if (roll < 90) {
      return 100 * (1 + random.nextInt(5));
    }
    return 1 + random.nextInt(5_000);
  }

  private List<String> conditions() {
    int roll = random.nextInt(100);
    if (roll < 15) {
      return null;
    }
    if (roll < 35) {
      return List.of();
    }
    int count = 1 + random.nextInt(4);
    int offset = random.nextInt(CONDITION_CODES.size());
    List<String> codes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      codes.add(CONDITION_CODES.get((offset + i) % CONDITION_CODES.size()));
    }
    return codes;
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  private static final class SymbolState {
    final boolean crypto;
    final double logStart;
    double logPrice;
    long lastT;

    SymbolState(boolean crypto, double logStart) {
      this.crypto = crypto;
      this.logStart = logStart;
      this.logPrice = logStart;
    }
  }
}
