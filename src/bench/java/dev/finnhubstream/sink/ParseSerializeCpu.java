package dev.finnhubstream.sink;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.ingest.FinnhubFrameParser;
import dev.finnhubstream.ingest.FinnhubMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link ParseSerializeBenchmark}'s frame of 10 (parse alone, then parse + records), timed by this thread's CPU time
 * rather than wall time: on a shared machine other load stretches JMH's wall-clock figures by 2–3×, CPU time much
 * less. Prints the median and the minimum of 15 rounds of 100,000 frames, ns per trade; run two builds alternately
 * for a before/after (classpath as in bench/run.sh): {@code java -cp "$CP" dev.finnhubstream.sink.ParseSerializeCpu}.
 */
public final class ParseSerializeCpu {
  public static void main(String[] args) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    FinnhubFrameParser parser = new FinnhubFrameParser();
    int rounds = 15, frames = 100_000;
    double[] parse = new double[rounds], both = new double[rounds];
    long sink = 0;
    for (int w = 0; w < 2; w++) {
      for (int r = 0; r < rounds; r++) {
        long t0 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < frames; i++) {
          FinnhubMessage m = parser.parse(ParseSerializeBenchmark.FRAME_10, 1672348887701L, "mwvvcjuh94ab-1042-");
          sink += ((FinnhubMessage.Trades) m).trades().size();
        }
        long t1 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < frames; i++) {
          FinnhubMessage m = parser.parse(ParseSerializeBenchmark.FRAME_10, 1672348887701L, "mwvvcjuh94ab-1042-");
          for (Trade t : ((FinnhubMessage.Trades) m).trades()) {
            sink += OutboundRecord.trade(t).value().length;
          }
        }
        long t2 = mx.getCurrentThreadCpuTime();
        parse[r] = (t1 - t0) / (frames * 10.0);
        both[r] = (t2 - t1) / (frames * 10.0);
      }
    }
    Arrays.sort(parse);
    Arrays.sort(both);
    System.out.printf("parse %.0f ns/trade (min %.0f), parse+serialize %.0f ns/trade (min %.0f) [%d]%n",
      parse[rounds / 2], parse[0], both[rounds / 2], both[0], sink % 10);
  }
}
