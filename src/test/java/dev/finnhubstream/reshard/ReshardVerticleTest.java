package dev.finnhubstream.reshard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.bus.Addresses;
import dev.finnhubstream.bus.Codecs;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import dev.finnhubstream.config.FinnhubConfig;
import dev.finnhubstream.config.Secret;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.ingest.ConnectionSnapshot;
import dev.finnhubstream.ingest.ConnectionState;
import dev.finnhubstream.ingest.FinnhubWebSocketVerticle;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Three keys against the emulator (no Kafka: trades are read off the bus); one is revoked, then restored. */
class ReshardVerticleTest {

  private static final List<String> CONNECTIONS = List.of("key-1", "key-2", "key-3");
  private Vertx vertx;
  private FinnhubEmulator emulator;
  private final List<Trade> trades = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    vertx.eventBus().<TradeBatch>consumer(Addresses.TRADES, m -> trades.addAll(m.body().trades()));
    emulator = new FinnhubEmulator(EmulatorOptions.defaults().withTradesPerSecond(300));
    vertx.deployVerticle(emulator).await();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private void deploy(int cap, long reshardAfterMs, List<String> symbols) {
    FinnhubConfig config = new FinnhubConfig("ws://127.0.0.1:" + emulator.actualPort(), symbols,
      List.of(new Secret("tok-1"), new Secret("tok-2"), new Secret("tok-3")), 50, 400, 60_000, 1_000, 60_000, 50, cap,
      60_000, 60_000, 16 * 1024 * 1024, reshardAfterMs);
    AtomicLong seq = new AtomicLong();
    for (int i = 0; i < 3; i++) {
      vertx.deployVerticle(new FinnhubWebSocketVerticle(config, i, "run", seq)).await();
    }
    vertx.deployVerticle(new ReshardVerticle(CONNECTIONS, reshardAfterMs)).await();
  }

  private ConnectionSnapshot snapshot(String connection) {
    return vertx.eventBus().<ConnectionSnapshot>request(Addresses.statusIngest(connection), null).await().body();
  }

  @Test
  @DisplayName("a revoked key's symbols move to the other keys after the configured time, and back once it is accepted again;"
    + " no symbol is ever subscribed on two connections at once")
  void movesAndMovesBack() {
    deploy(50, 500, List.of("A", "B", "C", "D", "E", "F")); // key-1: A D, key-2: B E, key-3: C F
    await().atMost(Duration.ofSeconds(10)).until(() -> emulator.subscribedSymbols().size() == 6);

    emulator.setTokenRevoked("tok-2", true).await();
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshot("key-2").sharing().lent().size() == 2);
    ConnectionSnapshot home = snapshot("key-2");
    assertThat(home.state()).isIn(ConnectionState.KEY_REJECTED, ConnectionState.CONNECTING, ConnectionState.BACKOFF);
    assertThat(home.sharing().lent()).containsExactlyInAnyOrder("B", "E");
    assertThat(home.sharing().lentSinceMs() - home.sharing().unusableSinceMs()).as("lent only after reshard_after_ms")
      .isGreaterThanOrEqualTo(500);
    // Round-robin in key order, sorted: B to key-1, E to key-3.
    assertThat(snapshot("key-1").sharing().borrowed()).isEqualTo(Map.of("B", "key-2"));
    assertThat(snapshot("key-3").sharing().borrowed()).isEqualTo(Map.of("E", "key-2"));
    await().atMost(Duration.ofSeconds(10)).until(() -> emulator.subscribedSymbols().containsAll(Set.of("B", "E")));
    int before = trades.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> trades.subList(before, trades.size()).stream()
      .map(Trade::symbol).toList().containsAll(List.of("B", "E")));

    emulator.setTokenRevoked("tok-2", false).await();
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshot("key-2").subscribed().containsAll(List.of("B", "E")));
    assertThat(snapshot("key-2").sharing().lent()).isEmpty();
    assertThat(snapshot("key-2").sharing().lentSinceMs()).isZero();
    assertThat(snapshot("key-1").sharing().borrowed()).isEmpty();
    assertThat(snapshot("key-3").sharing().borrowed()).isEmpty();
    assertThat(snapshot("key-1").subscribed()).containsExactlyInAnyOrder("A", "D");
    await().atMost(Duration.ofSeconds(10)).until(() -> emulator.subscribedSymbols().size() == 6);

    assertThat(emulator.subscriptions().subscribedTwice()).isEmpty();
    // B: on key-2, then key-1, then key-2 again (a new connection of the same token); each after the previous let go.
    List<String> holders = emulator.subscriptions().intervals("B").stream().map(i -> i.connection()).toList();
    assertThat(holders).hasSize(3);
    assertThat(token(holders.get(2))).isEqualTo(token(holders.get(0))).isNotEqualTo(token(holders.get(1)));
    assertThat(holders.get(2)).isNotEqualTo(holders.get(0));
  }

  /** {@code token#2/5} → {@code token#2}. */
  private static String token(String ledgerConnection) {
    return ledgerConnection.substring(0, ledgerConnection.indexOf('/'));
  }

  @Test
  @DisplayName("the borrowers' caps hold: what fits nowhere stays with its refused key")
  void capsHold() {
    // cap 3: key-1 holds A D G (full), key-2 B E, key-3 C F (room for one).
    deploy(3, 300, List.of("A", "B", "C", "D", "E", "F", "G"));
    await().atMost(Duration.ofSeconds(10)).until(() -> emulator.subscribedSymbols().size() == 7);
    emulator.setTokenRevoked("tok-2", true).await();
    await().atMost(Duration.ofSeconds(10)).until(() -> !snapshot("key-2").sharing().lent().isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> emulator.subscribedSymbols().contains("B"));
    assertThat(snapshot("key-2").sharing().lent()).containsExactly("B");
    assertThat(snapshot("key-3").sharing().borrowed()).isEqualTo(Map.of("B", "key-2"));
    assertThat(snapshot("key-3").subscribed()).containsExactlyInAnyOrder("C", "F", "B");
    assertThat(snapshot("key-1").sharing().borrowed()).isEmpty();
    assertThat(emulator.subscribedSymbols()).doesNotContain("E");
    assertThat(emulator.subscriptions().subscribedTwice()).isEmpty();
  }
}
