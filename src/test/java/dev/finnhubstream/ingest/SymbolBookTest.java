package dev.finnhubstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.ingest.SymbolBook.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SymbolBookTest {

  private static List<String> drain(SymbolBook book, long now) {
    List<String> sent = new ArrayList<>();
    for (String s = book.nextToSubscribe(now); s != null; s = book.nextToSubscribe(now)) {
      sent.add(s);
    }
    return sent;
  }

  @Test
  @DisplayName("symbols beyond the configured plan cap are never sent; they wait as over cap")
  void planCapIsNeverExceeded() {
    SymbolBook book = new SymbolBook(List.of("A", "B", "C", "D"), 2, 1_000, 1_000, new Random(1));
    assertThat(drain(book, 0)).containsExactly("A", "B");
    assertThat(book.inState(Status.OVER_CAP)).containsExactly("C", "D");
    // Even when their retry is due, the plan cap holds.
    assertThat(drain(book, 10_000)).isEmpty();
  }

  @Test
  @DisplayName("a cap error blames the latest subscribe, lowers the cap, and a later probe can raise it again")
  void capLearningAndProbe() {
    SymbolBook book = new SymbolBook(List.of("A", "B", "C", "D"), 50, 1_000, 5_000, new Random(1));
    assertThat(book.nextToSubscribe(0)).isEqualTo("A");
    assertThat(book.nextToSubscribe(0)).isEqualTo("B");
    assertThat(book.nextToSubscribe(0)).isEqualTo("C");
    assertThat(book.onTooManySymbols(0)).isEqualTo("C");
    assertThat(book.effectiveCap()).isEqualTo(2);
    assertThat(drain(book, 1)).isEmpty();
    assertThat(book.inState(Status.OVER_CAP)).containsExactly("C", "D");
    // After the retry delay (5 s ± 20 %) one probe at a time.
    assertThat(book.nextToSubscribe(3_000)).isNull();
    assertThat(book.nextToSubscribe(7_000)).isEqualTo("C");
    assertThat(book.effectiveCap()).isEqualTo(3);
  }

  @Test
  @DisplayName("a lent symbol is never subscribed, not even after a reconnect, until it is reclaimed")
  void lentUntilReclaimed() {
    SymbolBook book = new SymbolBook(List.of("A", "B", "C"), 50, 1_000, 1_000, new Random(1));
    assertThat(book.lend("B")).isEqualTo(Status.PENDING);
    assertThat(book.lend("X")).isNull();
    assertThat(drain(book, 0)).containsExactly("A", "C");
    book.onConnected();
    assertThat(drain(book, 100_000)).containsExactly("A", "C");
    assertThat(book.inState(Status.LENT)).containsExactly("B");
    assertThat(book.lend("A")).as("a subscribed one: the caller unsubscribes it").isEqualTo(Status.SUBSCRIBED);
    assertThat(book.reclaim("B")).isTrue();
    assertThat(book.reclaim("C")).as("never lent").isFalse();
    assertThat(drain(book, 100_001)).containsExactly("B");
    assertThat(book.inState(Status.LENT)).containsExactly("A");
  }

  @Test
  @DisplayName("after a reconnect everything subscribed is pending again, the learned cap stays")
  void reconnect() {
    SymbolBook book = new SymbolBook(List.of("A", "B", "C"), 50, 1_000, 60_000, new Random(1));
    drain(book, 0);
    book.onTooManySymbols(0);
    book.onConnected();
    assertThat(book.inState(Status.PENDING)).containsExactly("A", "B");
    assertThat(drain(book, 1)).containsExactly("A", "B");
  }

  @Test
  @DisplayName("an invalid symbol is refused with growing delays; a nameless error blames the latest subscribe")
  void invalidSymbol() {
    SymbolBook book = new SymbolBook(List.of("A", "B"), 50, 1_000, 60_000, new Random(1));
    drain(book, 0);
    assertThat(book.onInvalidSymbol("A", 0)).isEqualTo("A");
    assertThat(book.retries(Status.REFUSED).get("A")).isBetween(800L, 1_200L);
    assertThat(book.nextToSubscribe(1_300)).isEqualTo("A");
    book.onInvalidSymbol("A", 1_300);
    assertThat(book.retries(Status.REFUSED).get("A") - 1_300).isBetween(1_600L, 2_400L);
    assertThat(book.onInvalidSymbol("NOT_OURS", 0)).isNull();
    assertThat(book.nextToSubscribe(10_000)).isEqualTo("A");
    assertThat(book.onInvalidSymbol("", 10_000)).isEqualTo("A");
  }

  @Test
  @DisplayName("runtime add: a new symbol is pending and subscribed next; adding a held one changes nothing")
  void addAtRuntime() {
    SymbolBook book = new SymbolBook(List.of("A"), 50, 1_000, 1_000, new Random(1));
    assertThat(drain(book, 0)).containsExactly("A");
    assertThat(book.add("IC MARKETS:1")).isTrue();
    assertThat(book.add("A")).isFalse();
    assertThat(book.inState(Status.PENDING)).containsExactly("IC MARKETS:1");
    assertThat(drain(book, 0)).containsExactly("IC MARKETS:1");
    assertThat(book.size()).isEqualTo(2);
  }

  @Test
  @DisplayName("runtime remove: reports the old status, forgets the symbol, and a freed slot goes to an over-cap symbol at once")
  void removeAtRuntime() {
    SymbolBook book = new SymbolBook(List.of("A", "B", "C"), 2, 1_000, 3_600_000, new Random(1));
    assertThat(drain(book, 0)).containsExactly("A", "B");
    assertThat(book.inState(Status.OVER_CAP)).containsExactly("C");
    assertThat(book.remove("A")).isEqualTo(Status.SUBSCRIBED);
    assertThat(book.remove("A")).isNull();
    assertThat(book.contains("A")).isFalse();
    // C's retry was an hour away; the freed slot makes it due now.
    assertThat(drain(book, 1)).containsExactly("C");
    assertThat(book.inState(Status.SUBSCRIBED)).containsExactly("B", "C");
  }
}
