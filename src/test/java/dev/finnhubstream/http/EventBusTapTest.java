package dev.finnhubstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.BusObservers;
import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The event-bus tap as a bus observer on a real event bus: what it keeps, how much, and what it skips. */
class EventBusTapTest {

  private Vertx vertx;
  private EventBusTap tap;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    tap = new EventBusTap(Set.of(Addresses.TRADES, Addresses.BACKPRESSURE));
    new BusObservers(vertx.eventBus()).add(tap.observer);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private static TradeBatch batch(long seq, int trades) {
    List<Trade> list = new ArrayList<>();
    for (int i = 0; i < trades; i++) {
      list.add(new Trade("AAPL", 1_000 + i, 1.5, 1, List.of(), 2_000, "run-" + seq + "-" + i));
    }
    return new TradeBatch("key-1", seq, 2_000, list);
  }

  @Test
  @DisplayName("keeps the last RING_SIZE messages of an address, oldest first, and no more")
  void ringIsBounded() {
    IntStream.range(0, EventBusTap.RING_SIZE + 30).forEach(i -> vertx.eventBus().publish(Addresses.TRADES, batch(i, 1)));
    List<EventBusTap.Captured> kept = tap.last(Addresses.TRADES, 1_000);
    assertThat(kept).hasSize(EventBusTap.RING_SIZE);
    assertThat(kept).extracting(c -> ((TradeBatch) c.body()).frameSeq())
      .containsExactlyElementsOf(IntStream.range(30, EventBusTap.RING_SIZE + 30).mapToObj(i -> (long) i).toList());
    assertThat(tap.last(Addresses.TRADES, 3)).extracting(c -> ((TradeBatch) c.body()).frameSeq()).containsExactly(127L, 128L, 129L);
    assertThat(tap.addressesJson().getJsonObject(Addresses.TRADES).getLong("seen")).isEqualTo(EventBusTap.RING_SIZE + 30);
  }

  @Test
  @DisplayName("cuts big messages down (trades of a batch, a dead letter's payload) and says how much it left out")
  void bigMessagesAreCompacted() {
    vertx.eventBus().publish(Addresses.TRADES, batch(1, EventBusTap.MAX_TRADES + 5));
    vertx.eventBus().publish(Addresses.DEAD_LETTERS, new DeadLetter("malformed:invalid_json", "x".repeat(10_000), 1, "key-1", 2));
    EventBusTap.Captured trades = tap.last(Addresses.TRADES, 1).get(0);
    assertThat(((TradeBatch) trades.body()).trades()).hasSize(EventBusTap.MAX_TRADES);
    assertThat(trades.omitted()).isEqualTo(5);
    JsonObject dead = EventBusTap.toJson(tap.last(Addresses.DEAD_LETTERS, 1).get(0));
    assertThat(dead.getJsonObject("body").getString("payload")).hasSize(EventBusTap.MAX_TEXT_CHARS);
    assertThat(dead.getInteger("omitted")).isEqualTo(10_000 - EventBusTap.MAX_TEXT_CHARS);
    assertThat(dead.getString("type")).isEqualTo("DeadLetter");
  }

  @Test
  @DisplayName("skips Vert.x reply addresses, stops tracking new addresses past MAX_ADDRESSES, and knows declared ones before traffic")
  void addressesAreBounded() {
    vertx.eventBus().consumer("echo", m -> m.reply("pong"));
    vertx.eventBus().request("echo", "ping").await();
    assertThat(tap.addressesJson().fieldNames()).contains("echo").noneMatch(a -> a.startsWith("__vertx"));
    for (int i = 0; i < EventBusTap.MAX_ADDRESSES + 10; i++) {
      vertx.eventBus().publish("extra." + i, "x");
    }
    // The tracked ones, plus the two declared addresses that saw no traffic (listed, never counted against the cap).
    assertThat(tap.addressesJson().size()).isEqualTo(EventBusTap.MAX_ADDRESSES + 2);
    assertThat(tap.untracked()).isPositive();
    assertThat(tap.knows(Addresses.BACKPRESSURE)).isTrue();
    assertThat(tap.knows("never.seen")).isFalse();
  }

  @Test
  @DisplayName("live listeners get each message of their address only")
  void listeners() {
    List<Long> got = new CopyOnWriteArrayList<>();
    tap.addListener(new EventBusTap.Listener() {
      @Override
      public String address() {
        return Addresses.TRADES;
      }

      @Override
      public void onMessage(EventBusTap.Captured message) {
        got.add(((TradeBatch) message.body()).frameSeq());
      }
    });
    vertx.eventBus().publish(Addresses.TRADES, batch(7, 1));
    vertx.eventBus().publish(Addresses.DEAD_LETTERS, new DeadLetter("r", "p", 1, "key-1", 8));
    vertx.eventBus().publish(Addresses.TRADES, batch(9, 1));
    assertThat(got).containsExactly(7L, 9L);
    assertThat(tap.listenerCount()).isEqualTo(1);
  }
}
