package dev.finnhubstream.support;

import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.sink.TradeJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Trades as the service would produce them from Finnhub frames, spread over several minutes, in send
 * order, with the shapes that matter to bars and deduplication: several prints of a symbol in one
 * millisecond (ordered only by their place in the frame), identical prints with distinct ingest ids,
 * prints on the first and last millisecond of a minute, volume 0, fractional volumes, empty and filled
 * conditions, symbols with spaces and colons.
 */
public final class TradeFixtures {

  public static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "BINANCE:BTCUSDT", "IC MARKETS:1");

  private TradeFixtures() {
  }

  /**
   * @param runId   ingest id prefix ({@code <runId>-<frameSeq>-<index>})
   * @param startMs first minute (rounded down to a minute)
   * @param minutes how many minutes the trades span
   */
  public static List<Trade> history(long seed, String runId, long startMs, int minutes, int framesPerMinute) {
    SplittableRandom random = new SplittableRandom(seed);
    long first = Math.floorDiv(startMs, 60_000) * 60_000;
    double[] prices = {101.5, 98.2, 103.7, 99.1}; // near the emulator's ~100, so both draw on one scale
    List<Trade> trades = new ArrayList<>();
    long frameSeq = 0;
    for (int m = 0; m < minutes; m++) {
      long minuteStart = first + m * 60_000L;
      // Frame times within the minute, ascending, including both of its edges.
      long[] offsets = random.longs(framesPerMinute, 0, 60_000).sorted().toArray();
      offsets[0] = 0;
      offsets[offsets.length - 1] = 59_999;
      for (long offset : offsets) {
        long t = minuteStart + offset;
        frameSeq++;
        int size = 1 + random.nextInt(6);
        int symbolIndex = random.nextInt(SYMBOLS.size());
        Trade previous = null;
        for (int index = 0; index < size; index++) {
          String id = runId + "-" + frameSeq + "-" + index;
          if (previous != null && random.nextInt(10) == 0) {
            // An identical print: a legitimate second trade, never a duplicate.
            trades.add(new Trade(previous.symbol(), previous.tradeTsMs(), previous.price(), previous.volume(),
              previous.conditions(), previous.receivedAtMs(), id));
            continue;
          }
          if (random.nextInt(3) == 0) {
            symbolIndex = random.nextInt(SYMBOLS.size());
          }
          String symbol = SYMBOLS.get(symbolIndex);
          boolean crypto = symbol.contains(":");
          prices[symbolIndex] = round(prices[symbolIndex] * (1 + (random.nextDouble() - 0.5) * 0.004), crypto ? 5 : 2);
          double volume = random.nextInt(20) == 0 ? 0 : crypto ? round(random.nextDouble() * 3, 6) : 1 + random.nextInt(500);
          List<String> conditions = crypto || random.nextBoolean() ? List.of() : List.of("1", "12");
          previous = new Trade(symbol, t, prices[symbolIndex], volume, conditions, t + 3 + random.nextInt(40), id);
          trades.add(previous);
        }
      }
    }
    return trades;
  }

  /** Writes the trades to the test broker exactly as the service does: key = symbol, value = TradeJson. */
  public static void produce(String topic, List<Trade> trades) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      trades.forEach(t -> producer.send(new ProducerRecord<>(topic, t.symbol(), TradeJson.toJson(t))));
      producer.flush();
    }
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
