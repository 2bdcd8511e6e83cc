package dev.finnhubstream.ingest;

import dev.finnhubstream.bus.Trade;
import java.util.List;

/**
 * What one Finnhub WebSocket text frame turned out to be. Every frame, however broken, parses into
 * exactly one of these: the parser never throws.
 */
public sealed interface FinnhubMessage {

  /**
   * A {@code trade} frame: the valid trades in frame order, and the elements of {@code data} that were
   * not valid trades (counted; a later stage sends them to the dead-letter topic).
   */
  record Trades(List<Trade> trades, List<RejectedTrade> rejected) implements FinnhubMessage {
    public Trades {
      trades = List.copyOf(trades);
      rejected = List.copyOf(rejected);
    }
  }

  /** {@code {"type":"ping"}}: a liveness signal only; Finnhub needs no answer. */
  record Ping() implements FinnhubMessage {
  }

  /** {@code {"type":"error","msg":"..."}}, e.g. {@code Invalid symbol X} or {@code Subscribing to too many symbols}. */
  record ServerError(String message) implements FinnhubMessage {
  }

  /** A well-formed frame of a type we do not consume (news, press releases, or something new). */
  record Unknown(String type) implements FinnhubMessage {
  }

  /** Not JSON, not an object, no {@code type}, or a {@code trade} frame without a {@code data} array. */
  record Malformed(String reason) implements FinnhubMessage {
  }

  /**
   * An element of a trade frame's {@code data} array that is not a valid trade.
   *
   * @param index  its position in {@code data}
   * @param reason a short machine-friendly reason, e.g. {@code missing_field:p}
   * @param raw    the element's JSON text as received, for the dead-letter topic
   */
  record RejectedTrade(int index, String reason, String raw) {
  }
}
