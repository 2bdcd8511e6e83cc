package dev.finnhubstream.emulator;

import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Settings of a {@link FinnhubEmulator}. Start from {@link #defaults()} and adjust with the {@code with...}
 * copy methods.
 *
 * @param host             interface to bind
 * @param port             port to bind; 0 picks an ephemeral port (read it back with {@link FinnhubEmulator#actualPort()})
 * @param acceptedTokens   tokens accepted on the handshake; an empty set accepts any non-empty token. A missing,
 *                         empty or unknown token gets HTTP 401, as Finnhub answers a wrong key.
 * @param symbolCap        most symbols one connection may hold (Finnhub free plan: 50); 0 means no cap
 * @param invalidSymbols   symbols answered with {@code Invalid symbol X} instead of being subscribed
 * @param pingIntervalMs   interval of the application-level {@code {"type":"ping"}} on each connection; 0 = never
 * @param tradesPerSecond  aggregate trade rate over all connections and symbols; 0 = as fast as sockets drain
 * @param totalTrades      trade budget over the emulator's lifetime (all connections, all reconnects); 0 = unlimited
 * @param maxTradesPerFrame each trade frame carries between 1 and this many trades
 * @param seed             seed of the content generator (symbols picked, prices, volumes, conditions)
 * @param recordTrades     keep every sent trade for {@link FinnhubEmulator#sentTrades()}; with an unlimited budget
 *                         at most {@link FinnhubEmulator#RECORD_LIMIT_WHEN_UNLIMITED} trades are kept
 * @param disconnectEveryTrades after every this many trades counted as sent (lifetime count, all connections), drop
 *                         every open connection abruptly (TCP close without a close frame); 0 = never. No frame
 *                         straddles a boundary, so each drop comes exactly after a multiple of this many trades.
 * @param malformedFrameRatio fraction (0..1) of trade frames replaced, deterministically, by a malformed frame of the
 *                         next {@link MalformedKind}; such a frame carries no valid trade and uses no budget
 * @param oneConnectionPerToken like Finnhub ("1 API key can only open 1 connection at a time"), a second connection
 *                         with a token that already has one open makes the emulator close both
 */
public record EmulatorOptions(
  String host,
  int port,
  Set<String> acceptedTokens,
  int symbolCap,
  Set<String> invalidSymbols,
  long pingIntervalMs,
  double tradesPerSecond,
  long totalTrades,
  int maxTradesPerFrame,
  long seed,
  boolean recordTrades,
  long disconnectEveryTrades,
  double malformedFrameRatio,
  boolean oneConnectionPerToken) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Finnhub free keys hold about 50 symbols per connection (finnhub-protocol.md §6). */
  public static final int DEFAULT_SYMBOL_CAP = 50;
  /** Finnhub pings about once a minute (finnhub-protocol.md §5). */
  public static final long DEFAULT_PING_INTERVAL_MS = 60_000;
  public static final double DEFAULT_TRADES_PER_SECOND = 100;
  public static final int DEFAULT_MAX_TRADES_PER_FRAME = 10;
  public static final long DEFAULT_SEED = 42;

  public EmulatorOptions {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
    acceptedTokens = acceptedTokens == null ? Set.of() : Set.copyOf(acceptedTokens);
    invalidSymbols = invalidSymbols == null ? Set.of() : Set.copyOf(invalidSymbols);
    if (symbolCap < 0) {
      throw new IllegalArgumentException("symbolCap must be >= 0 (0 = no cap), got " + symbolCap);
    }
    if (pingIntervalMs < 0) {
      throw new IllegalArgumentException("pingIntervalMs must be >= 0, got " + pingIntervalMs);
    }
    if (!(tradesPerSecond >= 0) || Double.isInfinite(tradesPerSecond)) {
      throw new IllegalArgumentException("tradesPerSecond must be finite and >= 0, got " + tradesPerSecond);
    }
    if (totalTrades < 0) {
      throw new IllegalArgumentException("totalTrades must be >= 0 (0 = unlimited), got " + totalTrades);
    }
    if (maxTradesPerFrame < 1) {
      throw new IllegalArgumentException("maxTradesPerFrame must be >= 1, got " + maxTradesPerFrame);
    }
    if (disconnectEveryTrades < 0) {
      throw new IllegalArgumentException("disconnectEveryTrades must be >= 0 (0 = never), got " + disconnectEveryTrades);
    }
    if (!(malformedFrameRatio >= 0 && malformedFrameRatio <= 1)) {
      throw new IllegalArgumentException("malformedFrameRatio must be within 0..1, got " + malformedFrameRatio);
    }
  }

  /**
   * Loopback, ephemeral port, any token, Finnhub free-plan cap and ping cadence, 100 trades/s, unlimited, one
   * connection per token, no forced disconnects, no malformed frames.
   */
  public static EmulatorOptions defaults() {
    return new EmulatorOptions(DEFAULT_HOST, 0, Set.of(), DEFAULT_SYMBOL_CAP, Set.of(), DEFAULT_PING_INTERVAL_MS,
      DEFAULT_TRADES_PER_SECOND, 0, DEFAULT_MAX_TRADES_PER_FRAME, DEFAULT_SEED, false, 0, 0, true);
  }

  public EmulatorOptions withHost(String host) {
    return copy(b -> b.host = host);
  }

  public EmulatorOptions withPort(int port) {
    return copy(b -> b.port = port);
  }

  public EmulatorOptions withAcceptedTokens(Set<String> acceptedTokens) {
    return copy(b -> b.acceptedTokens = acceptedTokens);
  }

  /** No accepted token named: any non-empty token passes the handshake (the default, and the CLI's without --token). */
  public boolean acceptsAnyToken() {
    return acceptedTokens.isEmpty();
  }

  public EmulatorOptions withSymbolCap(int symbolCap) {
    return copy(b -> b.symbolCap = symbolCap);
  }

  public EmulatorOptions withInvalidSymbols(Set<String> invalidSymbols) {
    return copy(b -> b.invalidSymbols = invalidSymbols);
  }

  public EmulatorOptions withPingIntervalMs(long pingIntervalMs) {
    return copy(b -> b.pingIntervalMs = pingIntervalMs);
  }

  public EmulatorOptions withTradesPerSecond(double tradesPerSecond) {
    return copy(b -> b.tradesPerSecond = tradesPerSecond);
  }

  public EmulatorOptions withTotalTrades(long totalTrades) {
    return copy(b -> b.totalTrades = totalTrades);
  }

  public EmulatorOptions withMaxTradesPerFrame(int maxTradesPerFrame) {
    return copy(b -> b.maxTradesPerFrame = maxTradesPerFrame);
  }

  public EmulatorOptions withSeed(long seed) {
    return copy(b -> b.seed = seed);
  }

  public EmulatorOptions withRecordTrades(boolean recordTrades) {
    return copy(b -> b.recordTrades = recordTrades);
  }

  public EmulatorOptions withDisconnectEveryTrades(long disconnectEveryTrades) {
    return copy(b -> b.disconnectEveryTrades = disconnectEveryTrades);
  }

  public EmulatorOptions withMalformedFrameRatio(double malformedFrameRatio) {
    return copy(b -> b.malformedFrameRatio = malformedFrameRatio);
  }

  public EmulatorOptions withOneConnectionPerToken(boolean oneConnectionPerToken) {
    return copy(b -> b.oneConnectionPerToken = oneConnectionPerToken);
  }

  /** A copy with {@code change} applied to its components, validated by the canonical constructor. */
  private EmulatorOptions copy(Consumer<Components> change) {
    Components components = new Components(this);
    change.accept(components);
    return components.toOptions();
  }

  /** Mutable components, so each {@code with...} method names only the one it changes. */
  private static final class Components {
    String host;
    int port;
    Set<String> acceptedTokens;
    int symbolCap;
    Set<String> invalidSymbols;
    long pingIntervalMs;
    double tradesPerSecond;
    long totalTrades;
    int maxTradesPerFrame;
    long seed;
    boolean recordTrades;
    long disconnectEveryTrades;
    double malformedFrameRatio;
    boolean oneConnectionPerToken;

    Components(EmulatorOptions options) {
      host = options.host;
      port = options.port;
      acceptedTokens = options.acceptedTokens;
      symbolCap = options.symbolCap;
      invalidSymbols = options.invalidSymbols;
      pingIntervalMs = options.pingIntervalMs;
      tradesPerSecond = options.tradesPerSecond;
      totalTrades = options.totalTrades;
      maxTradesPerFrame = options.maxTradesPerFrame;
      seed = options.seed;
      recordTrades = options.recordTrades;
      disconnectEveryTrades = options.disconnectEveryTrades;
      malformedFrameRatio = options.malformedFrameRatio;
      oneConnectionPerToken = options.oneConnectionPerToken;
    }

    EmulatorOptions toOptions() {
      return new EmulatorOptions(host, port, acceptedTokens, symbolCap, invalidSymbols, pingIntervalMs, tradesPerSecond,
        totalTrades, maxTradesPerFrame, seed, recordTrades, disconnectEveryTrades, malformedFrameRatio,
        oneConnectionPerToken);
    }
  }

  /** Never print the accepted tokens: they may be copies of real Finnhub keys. */
  @Override
  public String toString() {
    return "EmulatorOptions[host=" + host + ", port=" + port + ", acceptedTokens=" + acceptedTokens.size()
      + " token(s), symbolCap=" + symbolCap + ", invalidSymbols=" + invalidSymbols + ", pingIntervalMs="
      + pingIntervalMs + ", tradesPerSecond=" + tradesPerSecond + ", totalTrades=" + totalTrades
      + ", maxTradesPerFrame=" + maxTradesPerFrame + ", seed=" + seed + ", recordTrades=" + recordTrades
      + ", disconnectEveryTrades=" + disconnectEveryTrades + ", malformedFrameRatio=" + malformedFrameRatio
      + ", oneConnectionPerToken=" + oneConnectionPerToken + "]";
  }
}
