package dev.finnhubstream.sink;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.ingest.FinnhubFrameParser;
import dev.finnhubstream.ingest.FinnhubMessage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The service's CPU cost per trade on the hot path: parse a Finnhub trade frame into trades
 * ({@link FinnhubFrameParser}), then build each trade's Kafka record ({@link OutboundRecord#trade}: the
 * symbol key and the {@link TradeJson} value as bytes), together and each alone. Run by bench/run.sh;
 * figures are ns per trade (per frame for {@code frameOf1Trade}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ParseSerializeBenchmark {

  /** A frame as Finnhub sends at busy times: several symbols, c absent, empty or set, v zero or fractional. */
  static final String FRAME_10 = "{\"data\":["
    + "{\"c\":[\"1\",\"24\",\"12\"],\"p\":129.58,\"s\":\"AAPL\",\"t\":1672348887666,\"v\":1},"
    + "{\"c\":[\"1\",\"12\"],\"p\":129.59,\"s\":\"AAPL\",\"t\":1672348887666,\"v\":100},"
    + "{\"p\":16543.21,\"s\":\"BINANCE:BTCUSDT\",\"t\":1672348887667,\"v\":0.00312},"
    + "{\"c\":[],\"p\":1.07012,\"s\":\"OANDA:EUR_USD\",\"t\":1672348887667,\"v\":0},"
    + "{\"c\":[\"1\"],\"p\":239.82,\"s\":\"MSFT\",\"t\":1672348887668,\"v\":5},"
    + "{\"c\":[\"1\",\"12\",\"37\"],\"p\":121.17,\"s\":\"TSLA\",\"t\":1672348887668,\"v\":12},"
    + "{\"p\":1201.5,\"s\":\"BINANCE:ETHUSDT\",\"t\":1672348887669,\"v\":0.5},"
    + "{\"c\":[\"1\"],\"p\":84.18,\"s\":\"AMZN\",\"t\":1672348887669,\"v\":3},"
    + "{\"c\":[\"12\"],\"p\":146.14,\"s\":\"NVDA\",\"t\":1672348887670,\"v\":40},"
    + "{\"p\":1.10245,\"s\":\"IC MARKETS:1\",\"t\":1672348887671,\"v\":0}"
    + "],\"type\":\"trade\"}";

  static final String FRAME_1 = "{\"data\":[{\"c\":[\"1\",\"24\",\"12\"],\"p\":129.58,\"s\":\"AAPL\",\"t\":1672348887666,\"v\":1}],\"type\":\"trade\"}";

  private final FinnhubFrameParser parser = new FinnhubFrameParser();
  private final java.util.List<Trade> parsed = ((FinnhubMessage.Trades) parser.parse(FRAME_10, 1672348887701L, "mwvvcjuh94ab-1042-")).trades();

  @Benchmark
  @OperationsPerInvocation(10)
  public void frameOf10Trades(Blackhole bh) {
    parseAndSerialize(FRAME_10, bh);
  }

  @Benchmark
  public void frameOf1Trade(Blackhole bh) {
    parseAndSerialize(FRAME_1, bh);
  }

  /** The parse alone (the Finnhub side's share). */
  @Benchmark
  @OperationsPerInvocation(10)
  public Object parseOnlyFrameOf10() {
    return parser.parse(FRAME_10, 1672348887701L, "mwvvcjuh94ab-1042-");
  }

  /** The record alone (the Kafka writer's share): key and value bytes of each trade. */
  @Benchmark
  @OperationsPerInvocation(10)
  public void serializeOnlyFrameOf10(Blackhole bh) {
    for (Trade t : parsed) {
      bh.consume(OutboundRecord.trade(t));
    }
  }

  private void parseAndSerialize(String frame, Blackhole bh) {
    FinnhubMessage message = parser.parse(frame, 1672348887701L, "mwvvcjuh94ab-1042-");
    if (!(message instanceof FinnhubMessage.Trades trades) || trades.trades().isEmpty()) {
      throw new IllegalStateException("benchmark frame did not parse into trades: " + message);
    }
    for (Trade t : trades.trades()) {
      bh.consume(OutboundRecord.trade(t));
    }
  }
}
