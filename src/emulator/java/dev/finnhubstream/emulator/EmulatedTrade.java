package dev.finnhubstream.emulator;

import java.util.List;
import java.util.Objects;

/**
 * One trade as the emulator put it on the wire, field for field: {@code s}, {@code t}, {@code p}, {@code v},
 * {@code c}. Two equal instances can be two distinct prints: Finnhub trades carry no id.
 *
 * @param c the trade conditions, or {@code null} when the frame omitted {@code "c"} (as Finnhub does for crypto)
 */
public record EmulatedTrade(String symbol, long t, double p, double v, List<String> c) {

  public EmulatedTrade {
    Objects.requireNonNull(symbol, "symbol");
    c = c == null ? null : List.copyOf(c);
  }
}
