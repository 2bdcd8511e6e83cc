package dev.finnhubstream.gaps;

import dev.finnhubstream.bus.FeedGap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The gap verticle's answer on {@link dev.finnhubstream.bus.Addresses#STATUS_GAPS}, the {@code gaps} block of
 * {@code /status}: an immutable copy taken on its event loop.
 *
 * @param previousRun      how the previous run ended ({@link PreviousRunEnd#UNKNOWN} on a first start)
 * @param open             gaps open now (per connection, symbols sharing a start and a reason together), oldest first
 * @param closedByReason   gaps closed since start, per reason wire name
 * @param closedMsByReason their summed length in ms, per reason (a gap of several symbols counts once)
 * @param recent           the latest closed gaps, newest first (at most {@link GapVerticle#RECENT})
 */
public record GapStatus(PreviousRunEnd previousRun, List<FeedGap> open, Map<String, Long> closedByReason,
                        Map<String, Long> closedMsByReason, List<FeedGap> recent) {

  public GapStatus {
    open = List.copyOf(open);
    closedByReason = Collections.unmodifiableMap(new TreeMap<>(closedByReason));
    closedMsByReason = Collections.unmodifiableMap(new TreeMap<>(closedMsByReason));
    recent = List.copyOf(recent);
  }
}
