package dev.finnhubstream.http;

import dev.finnhubstream.bus.Backpressure;
import dev.finnhubstream.bus.BusObservers;
import dev.finnhubstream.bus.DeadLetter;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.bus.TradeBatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sees every message sent or published on the event bus (one of the {@link BusObservers}, so {@link #capture} runs
 * on the sender's thread and must stay cheap) and keeps the last {@link #RING_SIZE} of each address, for
 * {@code /debug/eventbus}. Live taps ({@link Listener}) get each message as it passes.
 *
 * <p>Bounded: at most {@link #MAX_ADDRESSES} addresses (Vert.x's per-request reply addresses are skipped), and
 * what is kept of a message is capped: the first {@link #MAX_TRADES} trades of a batch, the first
 * {@link #MAX_TEXT_CHARS} characters of a dead letter's payload. Messages are immutable records, so keeping a
 * reference costs nothing more.
 */
final class EventBusTap {

  static final int RING_SIZE = 100;
  static final int MAX_ADDRESSES = 64;
  static final int MAX_TRADES = 20;
  static final int MAX_TEXT_CHARS = 2_000;
  private static final String INTERNAL_PREFIX = "__vertx.";

  /** One message as kept: {@code omitted} trades or characters were cut off to bound memory. */
  record Captured(long seq, long atMs, String address, boolean publish, Object body, int omitted) {
  }

  /** A live tap; {@link #onMessage} runs on the sender's thread: hand the message over, do not work there. */
  interface Listener {
    String address();

    void onMessage(Captured message);
  }

  private static final class Ring {
    private final Captured[] slots = new Captured[RING_SIZE];
    private long count;

    synchronized void add(Captured c) {
      slots[(int) (count++ % RING_SIZE)] = c;
    }

    synchronized List<Captured> last(int n) {
      int available = (int) Math.min(count, RING_SIZE);
      int take = Math.min(n, available);
      List<Captured> out = new ArrayList<>(take);
      for (long i = count - take; i < count; i++) {
        out.add(slots[(int) (i % RING_SIZE)]);
      }
      return out;
    }

    synchronized long count() {
      return count;
    }

    synchronized Captured newest() {
      return count == 0 ? null : slots[(int) ((count - 1) % RING_SIZE)];
    }
  }

  private final Map<String, Ring> rings = new ConcurrentHashMap<>();
  private final Set<String> declared;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong untracked = new AtomicLong();

  /** To add to {@link BusObservers} (and remove with the same instance). */
  final BusObservers.Observer observer = this::capture;

  /** @param declared the service's addresses: listed and tappable before their first message */
  EventBusTap(Set<String> declared) {
    this.declared = Set.copyOf(declared);
  }

  void capture(String address, boolean publish, Object body) {
    if (address.startsWith(INTERNAL_PREFIX)) {
      return;
    }
    Ring ring = rings.get(address);
    if (ring == null) {
      if (rings.size() >= MAX_ADDRESSES && !declared.contains(address)) {
        untracked.incrementAndGet();
        return;
      }
      ring = rings.computeIfAbsent(address, a -> new Ring());
    }
    Captured c = compact(sequence.incrementAndGet(), System.currentTimeMillis(), address, publish, body);
    ring.add(c);
    for (Listener l : listeners) {
      if (l.address().equals(address)) {
        l.onMessage(c);
      }
    }
  }

  private static Captured compact(long seq, long atMs, String address, boolean publish, Object body) {
    if (body instanceof TradeBatch b && b.trades().size() > MAX_TRADES) {
      return new Captured(seq, atMs, address, publish,
        new TradeBatch(b.connection(), b.frameSeq(), b.receivedAtMs(), b.trades().subList(0, MAX_TRADES)), b.trades().size() - MAX_TRADES);
    }
    if (body instanceof DeadLetter d && d.payload().length() > MAX_TEXT_CHARS) {
      return new Captured(seq, atMs, address, publish, new DeadLetter(d.reason(), d.payload().substring(0, MAX_TEXT_CHARS),
        d.receivedAtMs(), d.connection(), d.frameSeq()), d.payload().length() - MAX_TEXT_CHARS);
    }
    if (body instanceof String s && s.length() > MAX_TEXT_CHARS) {
      return new Captured(seq, atMs, address, publish, s.substring(0, MAX_TEXT_CHARS), s.length() - MAX_TEXT_CHARS);
    }
    return new Captured(seq, atMs, address, publish, body, 0);
  }

  boolean knows(String address) {
    return declared.contains(address) || rings.containsKey(address);
  }

  /** The last {@code n} messages of {@code address}, oldest first. */
  List<Captured> last(String address, int n) {
    Ring ring = rings.get(address);
    return ring == null ? List.of() : ring.last(n);
  }

  void addListener(Listener l) {
    listeners.add(l);
  }

  void removeListener(Listener l) {
    listeners.remove(l);
  }

  int listenerCount() {
    return listeners.size();
  }

  /** Every known address with how many messages passed and when the latest did. */
  JsonObject addressesJson() {
    TreeMap<String, JsonObject> out = new TreeMap<>();
    declared.forEach(a -> out.put(a, new JsonObject().put("declared", true).put("seen", 0L)));
    rings.forEach((a, ring) -> {
      Captured newest = ring.newest();
      out.computeIfAbsent(a, k -> new JsonObject().put("declared", false))
        .put("seen", ring.count()).put("last_at_ms", newest == null ? null : newest.atMs())
        .put("last_kind", newest == null ? null : newest.publish() ? "publish" : "send");
    });
    JsonObject json = new JsonObject();
    out.forEach(json::put);
    return json;
  }

  long untracked() {
    return untracked.get();
  }

  /** A kept message as JSON: records by their fields, JSON as is, anything else by type and text. */
  static JsonObject toJson(Captured c) {
    return new JsonObject()
      .put("seq", c.seq())
      .put("at_ms", c.atMs())
      .put("address", c.address())
      .put("kind", c.publish() ? "publish" : "send")
      .put("type", c.body() == null ? null : c.body().getClass().getSimpleName())
      .put("body", body(c.body()))
      .put("omitted", c.omitted() == 0 ? null : c.omitted());
  }

  private static Object body(Object body) {
    if (body == null || body instanceof JsonObject || body instanceof JsonArray || body instanceof Number || body instanceof Boolean) {
      return body;
    }
    if (body instanceof TradeBatch b) {
      JsonArray trades = new JsonArray();
      for (Trade t : b.trades()) {
        trades.add(new JsonObject().put("symbol", t.symbol()).put("trade_ts_ms", t.tradeTsMs()).put("price", t.price())
          .put("volume", t.volume()).put("conditions", new JsonArray(new ArrayList<>(t.conditions()))).put("ingest_id", t.ingestId()));
      }
      return new JsonObject().put("connection", b.connection()).put("frame_seq", b.frameSeq())
        .put("received_at_ms", b.receivedAtMs()).put("trades", trades);
    }
    if (body instanceof DeadLetter d) {
      return new JsonObject().put("reason", d.reason()).put("connection", d.connection()).put("frame_seq", d.frameSeq())
        .put("received_at_ms", d.receivedAtMs()).put("payload", d.payload());
    }
    if (body instanceof Backpressure p) {
      return new JsonObject().put("paused", p.paused()).put("reason", p.reason());
    }
    String text = String.valueOf(body);
    return text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) : text;
  }
}
