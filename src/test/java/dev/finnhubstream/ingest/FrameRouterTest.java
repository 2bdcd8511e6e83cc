package dev.finnhubstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.log.Redactor;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The frames of one event-loop turn become one batch on the event bus, in frame order, at the turn's end. */
class FrameRouterTest {

  private Vertx vertx;
  private final List<TradeBatch> batches = new CopyOnWriteArrayList<>();
  private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private final IngestCounters counters = new IngestCounters();
  private FrameRouter router;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    vertx.eventBus().<TradeBatch>consumer(Addresses.TRADES, m -> batches.add(m.body()));
    vertx.eventBus().<DeadLetter>consumer(Addresses.DEAD_LETTERS, m -> deadLetters.add(m.body()));
    SymbolBook book = new SymbolBook(List.of("A", "B"), 50, 60_000, 60_000, new Random(1));
    // Trade frames never reach the connection (only Finnhub's errors about subscriptions do).
    router = new FrameRouter("key-1", "run", new AtomicLong(), book, counters, new Redactor(List.of()), null, vertx.eventBus());
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void aTurnsFramesGoAsOneBatchAtItsEnd() {
    router.onFrame(frame("A", 1), 100, true);
    router.onFrame("{\"type\":\"trade\",\"data\":[{\"s\":\"A\"", 101, true); // malformed: a dead letter at once
    router.onFrame(frame("B", 2), 102, true);
    router.onFrame("{\"type\":\"ping\"}", 103, true);
    router.onFrame(frame("A", 3), 104, true);
    await().until(() -> deadLetters.size() == 1);
    assertThat(batches).as("held until the turn ends").isEmpty();

    router.onTurnEnd();
    router.onTurnEnd();
    await().until(() -> !batches.isEmpty());
    assertThat(batches).hasSize(1);
    TradeBatch batch = batches.get(0);
    assertThat(batch.trades()).extracting(Trade::symbol, Trade::tradeTsMs)
      .containsExactly(tuple("A", 1L), tuple("B", 2L), tuple("A", 3L));
    assertThat(batch.trades()).extracting(Trade::receivedAtMs).containsExactly(100L, 102L, 104L);
    assertThat(batch.frameSeq()).as("the first frame's").isEqualTo(1);
    assertThat(batch.receivedAtMs()).isEqualTo(100);
    assertThat(counters.frames).isEqualTo(5);
    assertThat(counters.trades).isEqualTo(3);

    router.onFrame(frame("B", 4), 200, true);
    router.onTurnEnd();
    await().until(() -> batches.size() == 2);
    assertThat(batches.get(1).trades()).extracting(Trade::symbol).containsExactly("B");
    assertThat(batches.get(1).frameSeq()).isEqualTo(6);
  }

  private static String frame(String symbol, long t) {
    return "{\"data\":[{\"p\":1.5,\"s\":\"" + symbol + "\",\"t\":" + t + ",\"v\":2}],\"type\":\"trade\"}";
  }
}
