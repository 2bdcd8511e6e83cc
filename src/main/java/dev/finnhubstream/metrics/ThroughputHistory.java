package dev.finnhubstream.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Trades received from Finnhub and acknowledged by Kafka per second, over the last {@link #SECONDS} seconds:
 * the status page draws its chart from it, so a freshly opened page shows the recent past at once.
 * Fed once a second with running totals; event-loop only.
 */
final class ThroughputHistory {

  static final int SECONDS = 300;

  private final long[] received = new long[SECONDS];
  private final long[] written = new long[SECONDS];
  private int next;
  private int filled;
  private long lastReceivedTotal = -1;
  private long lastWrittenTotal = -1;
  private long lastSampleAtMs;

  /** Records one second: the differences of the running totals since the previous call. */
  void sample(long receivedTotal, long writtenTotal, long nowMs) {
    long r = lastReceivedTotal < 0 ? 0 : Math.max(0, receivedTotal - lastReceivedTotal);
    long w = lastWrittenTotal < 0 || writtenTotal < 0 ? 0 : Math.max(0, writtenTotal - lastWrittenTotal);
    lastReceivedTotal = receivedTotal;
    lastWrittenTotal = writtenTotal;
    lastSampleAtMs = nowMs;
    received[next] = r;
    written[next] = w;
    next = (next + 1) % SECONDS;
    filled = Math.min(SECONDS, filled + 1);
  }

  /** Per-second series, oldest first, and the average of the last minute. */
  MetricsStatus.Throughput snapshot() {
    List<Long> rx = new ArrayList<>(filled);
    List<Long> wx = new ArrayList<>(filled);
    long lastMinute = 0;
    for (int i = filled; i > 0; i--) {
      int idx = Math.floorMod(next - i, SECONDS);
      rx.add(received[idx]);
      wx.add(written[idx]);
      if (i <= 60) {
        lastMinute += received[idx];
      }
    }
    return new MetricsStatus.Throughput(1000, lastSampleAtMs == 0 ? null : lastSampleAtMs,
      filled == 0 ? 0.0 : lastMinute / (double) Math.min(60, filled), rx, wx);
  }
}
