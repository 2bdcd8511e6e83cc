package dev.finnhubstream.metrics;

import dev.finnhubstream.market.Markets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metrics verticle's answer on {@link dev.finnhubstream.bus.Addresses#STATUS_METRICS}: per symbol, per
 * event-bus address, throughput history, dead letters, the producer's health and backpressure. The status
 * endpoint shows it in {@code /status} and judges {@code /ready} by its {@code kafkaHealth}.
 *
 * @param vertxMetrics whether Vert.x was created with metrics ({@link VertxMetricsSetup})
 * @param symbols      one row per symbol: the configured ones in order, then any added at runtime, sorted
 * @param eventbus     per address, sorted; {@code null} without Vert.x metrics
 */
public record MetricsStatus(boolean vertxMetrics, List<SymbolRow> symbols, Map<String, AddressStats> eventbus,
                            Throughput throughput, long tradesReceived, DeadLetters deadLetters, KafkaHealth kafkaHealth,
                            Backpressure backpressure) {

  public MetricsStatus {
    symbols = List.copyOf(symbols);
    eventbus = eventbus == null ? null : Collections.unmodifiableMap(new TreeMap<>(eventbus));
  }

  /** What the status page shows for a symbol at a glance. */
  public enum Flow { FLOWING, STALE, MARKET_CLOSED, NO_TRADES_YET, NOT_SUBSCRIBED }

  /**
   * One row of the status page's symbol table.
   *
   * @param connection   the connection holding the symbol, or {@code null}
   * @param subscription {@code subscribed}, {@code pending}, {@code refused}, {@code over_cap}, or {@code none}
   * @param marketOpen   see {@link Markets#isOpen}
   * @param lastPrice    {@code null} (like the other latest values and the age) before the symbol's first trade
   */
  public record SymbolRow(String symbol, String connection, String subscription, Markets.Kind market, Boolean marketOpen,
                          Flow flow, Double lastPrice, Long lastTradeTsMs, Long lastReceivedAtMs, Long ageMs,
                          long tradesReceived) {
  }

  /**
   * One event-bus address as Vert.x's meters count it.
   *
   * @param ratePerS1m messages per second over the last minute; {@code null} until two samples exist
   */
  public record AddressStats(long published, long sent, long received, long delivered, long processed, long discarded,
                             long consumers, long pending, Double ratePerS1m) {
  }

  /**
   * Trades received and written per second, oldest first.
   *
   * @param lastSampleAtMs {@code null} before the first sample
   */
  public record Throughput(int intervalMs, Long lastSampleAtMs, double receivedPerS1m, List<Long> receivedPerS,
                           List<Long> writtenPerS) {

    public Throughput {
      receivedPerS = List.copyOf(receivedPerS);
      writtenPerS = List.copyOf(writtenPerS);
    }
  }

  /** @param byReason per reason (at most {@link MetricsVerticle#MAX_REASONS}, then "other"), sorted */
  public record DeadLetters(long total, Map<String, Long> byReason) {

    public DeadLetters {
      byReason = Collections.unmodifiableMap(new TreeMap<>(byReason));
    }
  }

  /** Whether the Kafka producer works; {@code problem} says why not (see {@link ProducerHealth}). */
  public record KafkaHealth(boolean healthy, String problem) {
  }

  /**
   * The latest backpressure signal from the Kafka writer.
   *
   * @param reason  {@code null} (like {@code sinceMs}) before the first signal
   */
  public record Backpressure(boolean paused, String reason, Long sinceMs) {
  }
}
