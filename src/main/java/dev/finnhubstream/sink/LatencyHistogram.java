package dev.finnhubstream.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Millisecond latencies in fixed buckets: exact up to 10 ms (the range the targets care about), coarser
 * above, so percentiles are as exact as the bucket they fall in, and {@code max} is exact. One thread records
 * (the producer's I/O thread, once per acknowledged trade): a record is two plain adds with ordered stores;
 * any thread reads.
 */
final class LatencyHistogram {

  /** Inclusive upper bounds in ms; one more bucket holds everything above the last bound. */
  static final long[] BOUNDS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300,
    500, 750, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000};

  /** Bucket of each value up to {@link #DIRECT_LIMIT} ms, precomputed: recording runs once per acknowledged record. */
  private static final int DIRECT_LIMIT = 1_000;
  private static final byte[] DIRECT = new byte[DIRECT_LIMIT + 1];

  static {
    for (int ms = 0; ms <= DIRECT_LIMIT; ms++) {
      DIRECT[ms] = (byte) search(ms);
    }
  }

  private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
  private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);
  /** Sum of the recorded values: with the buckets it makes a Prometheus histogram (metrics verticle). */
  private final AtomicLong sum = new AtomicLong();

  /** Single writer: only one thread may record. */
  void record(long ms) {
    long value = Math.max(0, ms);
    int bucket = bucket(value);
    counts.lazySet(bucket, counts.get(bucket) + 1);
    sum.lazySet(sum.get() + value);
    if (value > max.get()) {
      max.lazySet(value);
    }
  }

  static int bucket(long ms) {
    return ms <= DIRECT_LIMIT ? DIRECT[(int) ms] : search(ms);
  }

  private static int search(long ms) {
    int lo = 0;
    int hi = BOUNDS.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (BOUNDS[mid] < ms) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) {
      n += counts.get(i);
    }
    return n;
  }

  /**
   * The upper bound of the bucket holding the {@code fraction} quantile, or -1 when empty. Above the last
   * bound the exact maximum is returned.
   */
  long percentile(double fraction) {
    long n = count();
    if (n == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(fraction * n));
    long seen = 0;
    for (int i = 0; i < counts.length(); i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return i < BOUNDS.length ? Math.min(BOUNDS[i], max.get()) : max.get();
      }
    }
    return max.get();
  }

  /**
   * Summary plus the non-empty buckets (the overflow bucket last), so a reader can subtract two snapshots and get
   * the percentiles of just that interval (the benchmark does).
   */
  SinkStatus.Latency snapshot() {
    List<SinkStatus.Bucket> buckets = new ArrayList<>();
    for (int i = 0; i < counts.length(); i++) {
      long c = counts.get(i);
      if (c > 0) {
        buckets.add(i < BOUNDS.length ? new SinkStatus.Bucket(BOUNDS[i], false, c) : new SinkStatus.Bucket(BOUNDS[BOUNDS.length - 1], true, c));
      }
    }
    long n = count();
    return new SinkStatus.Latency(n, n == 0 ? null : percentile(0.50), n == 0 ? null : percentile(0.99),
      n == 0 ? null : percentile(0.999), n == 0 ? null : max.get(), sum.get(), buckets);
  }
}
