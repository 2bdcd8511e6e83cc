package dev.finnhubstream.bus;

/**
 * Every event-bus address the service uses, in one place, so that a debugging tap or a new consumer
 * cannot drift from the publisher by a typo.
 */
public final class Addresses {

  /**
   * {@link TradeBatch} messages: the trades of one connection's frames of one event-loop turn, published by the
   * ingest side. Like every message, seen by the {@link BusObservers} inside {@code publish()}, on the publisher's
   * thread.
   */
  public static final String TRADES = "finnhub.trades";

  /** {@link DeadLetter} messages: frames and trade elements that could not become trades. */
  public static final String DEAD_LETTERS = "finnhub.dead-letters";

  /**
   * {@link FeedGap} messages from the connections' gap trackers: a gap opened ({@code toMs} open) or closed. The gap
   * verticle completes them and keeps the open ones for {@code /status}.
   */
  public static final String GAP_EVENTS = "gaps.events";

  /** Closed, complete {@link FeedGap}s from the gap verticle, for the Kafka writer's gap topic. */
  public static final String GAPS = "finnhub.gaps";

  /** Request/reply: the Kafka writer's {@link dev.finnhubstream.gaps.PreviousRunEnd}, read once from the disk buffer at its start. */
  public static final String PREVIOUS_RUN_END = "sink.previous-run-end";

  /**
   * The epoch ms (a {@code Long}) at which a stopping service's connections were all closed, from the gap verticle to
   * the Kafka writer, which keeps it in the disk buffer directory: the next start's gaps begin there.
   */
  public static final String SOURCES_STOPPED = "gaps.sources-stopped";

  /** Request/reply: the gap verticle's {@link dev.finnhubstream.gaps.GapStatus}. */
  public static final String STATUS_GAPS = "status.gaps";

  /** {@link Backpressure} messages from the Kafka side: pause or resume reading from Finnhub. */
  public static final String BACKPRESSURE = "flow.backpressure";

  /**
   * Request/reply: one Finnhub connection's {@link dev.finnhubstream.ingest.ConnectionSnapshot}. One address per
   * connection ({@code key-1}, {@code key-2}...), because a request to a shared address reaches only one.
   */
  public static String statusIngest(String connection) {
    return "status.ingest." + connection;
  }

  /** Request/reply: the Kafka writer's {@link dev.finnhubstream.sink.SinkStatus}. */
  public static final String STATUS_SINK = "status.sink";

  /**
   * Request/reply: a runtime subscription change on one Finnhub connection (admin endpoints), a
   * {@link dev.finnhubstream.ingest.SymbolChange} answered with a {@link dev.finnhubstream.ingest.SymbolChangeResult}.
   * One address per connection, like {@link #statusIngest}.
   */
  public static String ingestSymbols(String connection) {
    return "ingest.symbols." + connection;
  }

  /** Request/reply: the metrics verticle's {@link dev.finnhubstream.metrics.MetricsStatus}: per symbol, per event-bus address, throughput history. */
  /** Hold or give up the key of one connection (several instances): {@code SlotCommand}, replied once done. */
  public static String ingestControl(String connection) {
    return "ingest.control." + connection;
  }

  /** The coordinator of several instances answers its status here. */
  public static final String STATUS_HA = "status.ha";

  public static final String STATUS_METRICS = "status.metrics";

  /** Request/reply: the Prometheus text exposition of every meter (for {@code /metrics}). */
  public static final String METRICS_SCRAPE = "metrics.scrape";

  /** Request/reply: the market-hours poller's {@link dev.finnhubstream.market.MarketStatus}. */
  public static final String STATUS_MARKET = "status.market";

  private Addresses() {
  }
}
