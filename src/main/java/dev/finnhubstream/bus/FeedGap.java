package dev.finnhubstream.bus;

import java.util.List;
import java.util.Objects;

/**
 * An interval during which the listed symbols of one Finnhub connection had no live subscription: Finnhub cannot
 * replay, so whatever traded then is missing downstream for good, and this record says so instead of leaving a
 * silence that reads like a quiet market. Published on {@link Addresses#GAP_EVENTS} by the connections' gap trackers
 * (open ones with {@code toMs} {@link #OPEN}, closed ones with their end), and, closed and complete, on
 * {@link Addresses#GAPS} for the Kafka writer. Holds the connection's label, never its key.
 *
 * @param gapId      stable id of a closed gap (the same gap written twice collapses downstream); {@code null} while open
 * @param connection the connection's label, e.g. {@code key-1}
 * @param symbols    the symbols that went without a subscription at {@code fromMs} and got it back at {@code toMs}
 * @param fromMs     when the subscription ended (or the run that should have held it stopped or crashed)
 * @param toMs       when the symbols were subscribed again, or when the gap was closed at a stop; {@link #OPEN} while open
 * @param reason     a {@link dev.finnhubstream.gaps.GapReason} wire name
 * @param marketOpen {@code open}, {@code closed} or {@code unknown}: whether a market of the symbols was open during
 *                   the gap, as far as the service knew (at its start or its end); {@code null} until the gap
 *                   verticle fills it in
 */
public record FeedGap(String gapId, String connection, List<String> symbols, long fromMs, long toMs, String reason,
                      String marketOpen) {

  /** {@code toMs} of a gap still open. */
  public static final long OPEN = -1;

  public FeedGap {
    Objects.requireNonNull(connection, "connection");
    symbols = List.copyOf(symbols);
    Objects.requireNonNull(reason, "reason");
  }

  public boolean open() {
    return toMs == OPEN;
  }
}
