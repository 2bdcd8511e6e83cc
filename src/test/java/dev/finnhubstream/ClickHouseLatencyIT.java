package dev.finnhubstream;

import static dev.finnhubstream.support.ClickHouseTestSupport.count;
import static dev.finnhubstream.support.ClickHouseTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.ClickHouseTestSupport;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.ServiceEnv;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Measures end-to-end latency on the local pipeline: Finnhub's {@code t} (the emulator stamps it when it
 * builds the frame) to the row being visible in ClickHouse 18.16, through the service, Kafka and the
 * Kafka engine. It prints figures and asserts none (timings on a shared 2-core box vary); it only checks
 * that every trade arrived.
 *
 * <pre>ci/test.sh -Dit.test=ClickHouseLatencyIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dlatency.rate=200 -Dlatency.seconds=60</pre>
 *
 * Visibility is observed by polling {@code count()} every {@value #POLL_MS} ms: a row is stamped visible at
 * the first poll that sees it, so figures are late by up to one poll interval plus a query.
 */
class ClickHouseLatencyIT {

  private static final long POLL_MS = 20;
  private static final String TOKEN = "lat-it-" + System.nanoTime();
  static final Path REPORT = Path.of("target", "clickhouse-latency.txt");

  @Test
  @DisplayName("latency from Finnhub t to a visible ClickHouse row (figures printed, not asserted)")
  void measure() throws Exception {
    KafkaTestSupport.requireBroker();
    ClickHouseTestSupport.requireServer();
    int rate = Integer.getInteger("latency.rate", 200);
    int seconds = Integer.getInteger("latency.seconds", 20);
    int total = rate * seconds;
    Vertx vertx = Vertx.vertx();
    try {
      FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults().withAcceptedTokens(Set.of(TOKEN))
        .withTradesPerSecond(rate).withTotalTrades(total).withMaxTradesPerFrame(4));
      vertx.deployVerticle(emulator).await();
      String topic = KafkaTestSupport.uniqueTopic("it_latency");
      String db = ClickHouseTestSupport.uniqueDatabase("it_latency");
      ClickHouseTestSupport.createLocalSchema(db, topic);
      AppConfig cfg = ConfigResolver.resolve(Files.readString(Path.of("conf/app.json")), "conf/app.json",
        ServiceEnv.forEmulator(emulator, TOKEN, topic));
      vertx.deployVerticle(new MainVerticle(cfg)).await();

      Set<String> seen = new HashSet<>(total * 2);
      List<long[]> samples = new ArrayList<>(total); // {trade_ts_ms, received_at_ms, visible_ms}
      long lastCount = 0;
      long maxReceived = 0;
      long deadline = System.currentTimeMillis() + seconds * 1_000L + 120_000;
      while (seen.size() < total && System.currentTimeMillis() < deadline) {
        long now = System.currentTimeMillis();
        long c = count("SELECT count() FROM " + db + ".trades");
        if (c > lastCount) {
          lastCount = c;
          // Rows of new blocks: those received at most a few seconds before the newest one seen so far.
          for (JsonObject r : rows("SELECT ingest_id, trade_ts_ms, received_at_ms FROM " + db + ".trades WHERE received_at_ms >= "
            + (maxReceived - 10_000))) {
            if (seen.add(r.getString("ingest_id"))) {
              samples.add(new long[] {r.getLong("trade_ts_ms"), r.getLong("received_at_ms"), now});
              maxReceived = Math.max(maxReceived, r.getLong("received_at_ms"));
            }
          }
        }
        Thread.sleep(Math.max(0, POLL_MS - (System.currentTimeMillis() - now)));
      }
      assertThat(samples).as("trades seen in ClickHouse").hasSize(total);
      assertThat(count("SELECT count() FROM " + db + ".trades FINAL")).isEqualTo(total);

      String flushMs = rows("SELECT value FROM system.settings WHERE name = 'stream_flush_interval_ms'").get(0).getString("value");
      String report = String.format(Locale.ROOT, "End-to-end latency, local pipeline (emulator -> service -> Kafka -> ClickHouse 18.16 Kafka engine)%n"
          + "  %d trades at %d trades/s over %d s; Kafka engine stream_flush_interval_ms = %s; visibility polled every %d ms%n"
          + "  %-42s %s%n  %-42s %s%n  %-42s %s%n",
        total, rate, seconds, flushMs, POLL_MS,
        "Finnhub t -> row visible in ClickHouse:", percentiles(samples, s -> s[2] - s[0]),
        "  of which t -> frame received by service:", percentiles(samples, s -> s[1] - s[0]),
        "  of which received -> visible in ClickHouse:", percentiles(samples, s -> s[2] - s[1]));
      System.out.print(report);
      Files.createDirectories(REPORT.getParent());
      Files.writeString(REPORT, report);
      ClickHouseTestSupport.dropDatabase(db);
    } finally {
      vertx.close().await();
    }
  }

  private static String percentiles(List<long[]> samples, java.util.function.ToLongFunction<long[]> metric) {
    long[] v = samples.stream().mapToLong(metric).toArray();
    Arrays.sort(v);
    return String.format(Locale.ROOT, "p50 %4d ms  p90 %4d ms  p99 %4d ms  max %4d ms",
      v[(int) (v.length * 0.50)], v[(int) (v.length * 0.90)], v[Math.min(v.length - 1, (int) (v.length * 0.99))], v[v.length - 1]);
  }
}
