package dev.finnhubstream.bus;

/**
 * Every event-bus address the service uses, in one place, so that a debugging tap or a new consumer
 * cannot drift from the publisher by a typo.
 */
public final class Addresses {

  /** {@link TradeBatch} messages: the trades of one Finnhub frame, published by the ingest side. */
  public static final String TRADES = "finnhub.trades";

  /** {@link DeadLetter} messages: frames and trade elements that could not become trades. */
  public static final String DEAD_LETTERS = "finnhub.dead-letters";

  /** {@link Backpressure} messages from the Kafka side: pause or resume reading from Finnhub. */
  public static final String BACKPRESSURE = "flow.backpressure";

  /** Request/reply: the Finnhub connection's counters and state as JSON (for {@code /status}). */
  public static final String STATUS_INGEST = "status.ingest";

  /** Request/reply: the Kafka writer's counters as JSON (for {@code /status}). */
  public static final String STATUS_SINK = "status.sink";

  private Addresses() {
  }
}
