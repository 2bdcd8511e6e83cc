package dev.finnhubstream.metrics;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.BusObservers;
import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.http.StatusHttpVerticle;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumerOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What observing costs the trades' hot path: the event bus carries {@code BATCHES} trade batches (5 trades each)
 * from a publishing event loop to a counting consumer (standing in for the Kafka writer), with windowed flow
 * control, in four set-ups: plain Vert.x; with Vert.x's Micrometer metrics; plus the metrics verticle observing
 * every batch (on the publishing thread); plus the status endpoint's event-bus tap. Prints trades/s per set-up; asserts nothing (timings
 * depend on the machine). Run: {@code mvn -q test-compile && java -cp target/test-classes:target/classes:$(mvn -q
 * dependency:build-classpath -Dmdep.outputFile=/dev/stdout) dev.finnhubstream.metrics.ObservabilityOverhead}
 */
public final class ObservabilityOverhead {

  private static final int BATCHES = 400_000;
  private static final int TRADES_PER_BATCH = 5;
  private static final int WINDOW = 2_000;

  public static void main(String[] args) throws Exception {
    AppConfig config = ConfigResolver.resolve(new JsonObject(Files.readString(Path.of("conf/app.json"))), "conf/app.json",
      Map.of("HTTP_PORT", "0"));
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < TRADES_PER_BATCH; i++) {
      trades.add(new Trade(config.finnhub().symbols().get(i % config.finnhub().symbols().size()), System.currentTimeMillis(), 100.5, 1,
        List.of("1"), System.currentTimeMillis(), "bench-" + i));
    }
    for (int round = 0; round < 2; round++) { // the first round warms the JIT up
      for (int setup = 0; setup < 4; setup++) {
        Vertx vertx = setup == 0 ? Vertx.vertx() : VertxMetricsSetup.newVertx();
        Codecs.registerAll(vertx.eventBus());
        BusObservers busObservers = new BusObservers(vertx.eventBus());
        if (setup >= 2) {
          vertx.deployVerticle(new MetricsVerticle(config, busObservers)).await();
        }
        if (setup >= 3) {
          vertx.deployVerticle(new StatusHttpVerticle(config, busObservers)).await();
        }
        double perSecond = run(vertx, trades);
        if (round == 1) {
          System.out.printf(Locale.ROOT, "%-55s %,12.0f trades/s%n", new String[] {"plain Vert.x", "+ Vert.x Micrometer metrics",
            "+ MetricsVerticle observing every batch", "+ event-bus tap (StatusHttpVerticle)"}[setup], perSecond);
        }
        vertx.close().await();
      }
    }
  }

  /** Publishes BATCHES batches from one event loop, at most WINDOW unconsumed, and times it. */
  private static double run(Vertx vertx, List<Trade> trades) {
    AtomicLong consumed = new AtomicLong();
    Promise<Long> done = Promise.promise();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public io.vertx.core.Future<?> start() {
        return vertx.eventBus().<TradeBatch>consumer(new MessageConsumerOptions().setAddress(Addresses.TRADES).setMaxBufferedMessages(WINDOW * 2),
          m -> {
            if (consumed.incrementAndGet() == BATCHES) {
              done.complete(System.nanoTime());
            }
          }).completion();
      }
    }).await();
    long start = System.nanoTime();
    vertx.deployVerticle(new VerticleBase() {
      private long published;

      @Override
      public io.vertx.core.Future<?> start() {
        vertx.runOnContext(v -> pump());
        return io.vertx.core.Future.succeededFuture();
      }

      private void pump() {
        while (published < BATCHES && published - consumed.get() < WINDOW) {
          vertx.eventBus().publish(Addresses.TRADES, new TradeBatch("key-1", published++, System.currentTimeMillis(), trades));
        }
        if (published < BATCHES) {
          vertx.runOnContext(v -> pump());
        }
      }
    }).await();
    long end = done.future().await();
    return (double) BATCHES * TRADES_PER_BATCH / ((end - start) / 1e9);
  }
}
