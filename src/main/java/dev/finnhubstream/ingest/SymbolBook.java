package dev.finnhubstream.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * What one Finnhub connection wants and has: every symbol of its shard is in exactly one state.
 *
 * <ul>
 *   <li>{@code PENDING}: to be subscribed on this connection (after connect, or when a retry falls due);</li>
 *   <li>{@code SUBSCRIBED}: a subscribe frame was sent and Finnhub did not refuse it. Finnhub acknowledges
 *       nothing, so this is inferred: errors are the only feedback;</li>
 *   <li>{@code REFUSED}: Finnhub answered {@code Invalid symbol X}; retried after a long delay, because valid
 *       symbols are sometimes refused for a while (finnhub-protocol.md §4.5);</li>
 *   <li>{@code OVER_CAP}: does not fit under the key's symbol cap; reported, and tried again much later, one
 *       at a time, so a cap error never turns into a re-subscribe loop.</li>
 *   <li>{@code LENT}: this key cannot be used (refused) and another connection holds the symbol for it; never
 *       subscribed here until it is {@linkplain #reclaim reclaimed}, which happens only after the borrower let go of
 *       it, so no symbol is subscribed on two connections at once.</li>
 * </ul>
 *
 * <p>The cap: {@code Subscribing to too many symbols} names no symbol, so subscribes are paced and the error
 * is blamed on the most recent one; the number still subscribed becomes the learned (effective) cap, which
 * survives reconnects. Pure logic on an injected clock value, so it is unit-tested without sockets.
 */
final class SymbolBook {

  enum Status { PENDING, SUBSCRIBED, REFUSED, OVER_CAP, LENT }

  private static final class Entry {
    Status status = Status.PENDING;
    long retryAtMs;
    int refusals;
  }

  private final Map<String, Entry> symbols = new LinkedHashMap<>();
  private final long invalidRetryMs;
  private final long overCapRetryMs;
  private final RandomGenerator random;
  private final int planCap;
  private int effectiveCap;
  /** Counts every change of a symbol's status: lets a caller tell whether a step changed anything. */
  private long changes;
  private String lastSent;

  SymbolBook(List<String> shard, int planCap, long invalidRetryMs, long overCapRetryMs, RandomGenerator random) {
    shard.forEach(s -> symbols.put(s, new Entry()));
    this.planCap = planCap;
    this.effectiveCap = planCap;
    this.invalidRetryMs = invalidRetryMs;
    this.overCapRetryMs = overCapRetryMs;
    this.random = random;
  }

  /** A new connection holds nothing: what was subscribed must be subscribed again. */
  void onConnected() {
    for (Entry e : symbols.values()) {
      if (e.status == Status.SUBSCRIBED) {
        set(e, Status.PENDING);
      }
    }
    lastSent = null;
  }

  /**
   * The next symbol to subscribe now, or {@code null}. Pending symbols go first while under the cap;
   * then refused or over-cap symbols whose retry is due. Marks the returned symbol subscribed.
   */
  String nextToSubscribe(long nowMs) {
    int subscribed = count(Status.SUBSCRIBED);
    for (Map.Entry<String, Entry> e : symbols.entrySet()) {
      Entry entry = e.getValue();
      if (entry.status == Status.PENDING) {
        if (subscribed >= effectiveCap) {
          set(entry, Status.OVER_CAP);
          entry.retryAtMs = nowMs + jittered(overCapRetryMs);
          continue;
        }
        return send(e.getKey(), entry);
      }
    }
    for (Map.Entry<String, Entry> e : symbols.entrySet()) {
      Entry entry = e.getValue();
      if (entry.retryAtMs > nowMs) {
        continue;
      }
      if (entry.status == Status.REFUSED && subscribed < effectiveCap) {
        return send(e.getKey(), entry); // it may have become valid
      }
      if (entry.status == Status.OVER_CAP && subscribed < planCap) {
        // A probe: has the learned cap risen? The configured plan cap is never exceeded.
        effectiveCap = Math.max(effectiveCap, subscribed + 1);
        return send(e.getKey(), entry);
      }
    }
    return null;
  }

  private String send(String symbol, Entry entry) {
    set(entry, Status.SUBSCRIBED);
    lastSent = symbol;
    return symbol;
  }

  /**
   * {@code Subscribing to too many symbols}: the most recent subscribe did not fit. Returns that symbol
   * (the caller unsubscribes it to be safe), or {@code null} if nothing was sent on this connection.
   */
  String onTooManySymbols(long nowMs) {
    if (lastSent == null || symbols.get(lastSent).status != Status.SUBSCRIBED) {
      return null;
    }
    String blamed = lastSent;
    Entry entry = symbols.get(blamed);
    set(entry, Status.OVER_CAP);
    entry.retryAtMs = nowMs + jittered(overCapRetryMs);
    effectiveCap = Math.max(0, count(Status.SUBSCRIBED));
    lastSent = null;
    return blamed;
  }

  /**
   * {@code Invalid symbol X}. Older Finnhub texts name no symbol ({@code Invalid symbol}); then the most
   * recent subscribe is blamed. Returns the refused symbol, or {@code null} when it is not ours.
   */
  String onInvalidSymbol(String named, long nowMs) {
    String symbol = named == null || named.isEmpty() ? lastSent : named;
    Entry entry = symbol == null ? null : symbols.get(symbol);
    if (entry == null) {
      return null;
    }
    entry.refusals++;
    set(entry, Status.REFUSED);
    // Long, growing delay (x1, x2, x4, capped): a symbol that stays invalid costs one frame per period.
    entry.retryAtMs = nowMs + jittered(invalidRetryMs * Math.min(4, 1L << Math.min(entry.refusals - 1, 2)));
    if (symbol.equals(lastSent)) {
      lastSent = null;
    }
    return symbol;
  }

  /**
   * Adds a symbol at runtime (admin endpoint): pending, so the next subscribe tick sends it, under the same
   * cap rules as configured symbols. Returns {@code false} when the book already holds it.
   */
  boolean add(String symbol) {
    boolean added = symbols.putIfAbsent(symbol, new Entry()) == null;
    changes += added ? 1 : 0;
    return added;
  }

  /**
   * Removes a symbol at runtime. Returns its status before removal ({@code SUBSCRIBED}: the caller sends an
   * unsubscribe frame), or {@code null} when the book does not hold it. A freed subscription slot goes to the
   * first over-cap symbol at once instead of at its next scheduled probe.
   */
  Status remove(String symbol) {
    Entry removed = symbols.remove(symbol);
    if (removed == null) {
      return null;
    }
    changes++;
    if (symbol.equals(lastSent)) {
      lastSent = null;
    }
    if (removed.status == Status.SUBSCRIBED) {
      symbols.values().stream().filter(e -> e.status == Status.OVER_CAP).findFirst().ifPresent(e -> e.retryAtMs = 0);
    }
    return removed.status;
  }

  /**
   * Marks a symbol lent to another connection: never subscribed here until {@link #reclaim}. Returns its status
   * before ({@code SUBSCRIBED}: the caller sends an unsubscribe frame), or {@code null} when the book does not hold it.
   */
  Status lend(String symbol) {
    Entry entry = symbols.get(symbol);
    if (entry == null) {
      return null;
    }
    Status was = entry.status;
    set(entry, Status.LENT);
    if (symbol.equals(lastSent)) {
      lastSent = null;
    }
    return was;
  }

  /** A lent symbol is this connection's again: pending, subscribed at the next tick. False when it was not lent. */
  boolean reclaim(String symbol) {
    Entry entry = symbols.get(symbol);
    if (entry == null || entry.status != Status.LENT) {
      return false;
    }
    set(entry, Status.PENDING);
    entry.retryAtMs = 0;
    return true;
  }

  int size() {
    return symbols.size();
  }

  boolean contains(String symbol) {
    return symbols.containsKey(symbol);
  }

  int effectiveCap() {
    return effectiveCap;
  }

  List<String> inState(Status status) {
    List<String> out = new ArrayList<>();
    symbols.forEach((s, e) -> {
      if (e.status == status) {
        out.add(s);
      }
    });
    return out;
  }

  /** Symbol → epoch ms of the next retry, for refused or over-cap symbols. */
  Map<String, Long> retries(Status status) {
    Map<String, Long> out = new TreeMap<>();
    symbols.forEach((s, e) -> {
      if (e.status == status) {
        out.put(s, e.retryAtMs);
      }
    });
    return out;
  }

  /** How many status changes, additions and removals the book has had; equal before and after = nothing changed. */
  long changes() {
    return changes;
  }

  private void set(Entry entry, Status status) {
    if (entry.status != status) {
      entry.status = status;
      changes++;
    }
  }

  private int count(Status status) {
    int n = 0;
    for (Entry e : symbols.values()) {
      if (e.status == status) {
        n++;
      }
    }
    return n;
  }

  /** ±20 % so that retries of many symbols (or many keys) spread out instead of firing together. */
  private long jittered(long delayMs) {
    return (long) (delayMs * (0.8 + 0.4 * random.nextDouble()));
  }
}
