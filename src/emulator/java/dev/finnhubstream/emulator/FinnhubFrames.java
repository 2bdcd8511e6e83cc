package dev.finnhubstream.emulator;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Encodes server frames with Finnhub's exact key order ({@code data} before {@code type}, {@code msg} before
 * {@code type}, trade keys alphabetical), relying on {@link JsonObject} keeping insertion order. Always through
 * the JSON encoder: symbols contain spaces, colons and possibly quotes.
 */
final class FinnhubFrames {

  static final String PING = new JsonObject().put("type", "ping").encode();
  static final String TOO_MANY_SYMBOLS = error("Subscribing to too many symbols");

  /** Whole numbers above this are left as doubles; below it a long is exact. */
  private static final double MAX_EXACT_LONG = 1e15;

  private FinnhubFrames() {
  }

  static String invalidSymbol(String symbol) {
    return error("Invalid symbol " + symbol);
  }

  static String error(String msg) {
    return new JsonObject().put("msg", msg).put("type", "error").encode();
  }

  static String trades(List<EmulatedTrade> trades) {
    List<Object> data = new ArrayList<>(trades.size());
    for (EmulatedTrade trade : trades) {
      JsonObject json = new JsonObject(new LinkedHashMap<>(8));
      if (trade.c() != null) {
        json.put("c", new JsonArray(trade.c()));
      }
      json.put("p", number(trade.p()))
        .put("s", trade.symbol())
        .put("t", trade.t())
        .put("v", number(trade.v()));
      data.add(json);
    }
    return new JsonObject(new LinkedHashMap<>(4)).put("data", new JsonArray(data)).put("type", "trade").encode();
  }

  /**
   * A frame of {@code kind} that carries no valid trade, built around {@code symbol} so it looks like the real
   * stream of that connection.
   */
  static String malformed(MalformedKind kind, String symbol, long nowMs) {
    return switch (kind) {
      case TRUNCATED_JSON -> {
        String whole = trades(List.of(new EmulatedTrade(symbol, nowMs, 123.45, 100, List.of("1"))));
        // Any strict prefix of a JSON object lacks its closing brace, so it never parses.
        yield whole.substring(0, whole.length() / 2);
      }
      case WRONG_TYPES -> frame("trade", new JsonObject().put("c", new JsonArray()).put("p", "abc").put("s", symbol)
        .put("t", "x").put("v", 1));
      // Jackson never writes NaN, so the text is assembled around the encoded symbol.
      case NAN -> "{\"data\":[{\"p\":NaN,\"s\":" + Json.encode(symbol) + ",\"t\":" + nowMs
        + ",\"v\":1}],\"type\":\"trade\"}";
      case MISSING_FIELDS -> frame("trade", new JsonObject().put("s", symbol).put("t", nowMs).put("v", 1),
        new JsonObject().put("p", 123.45).put("t", nowMs).put("v", 1));
      case EMPTY_DATA -> frame("trade");
      case UNKNOWN_TYPE -> frame("whatever", new JsonObject().put("p", 123.45).put("s", symbol).put("t", nowMs)
        .put("v", 1));
    };
  }

  private static String frame(String type, JsonObject... data) {
    return new JsonObject(new LinkedHashMap<>(4)).put("data", new JsonArray(List.of((Object[]) data)))
      .put("type", type).encode();
  }

  /**
   * Finnhub's encoder writes whole numbers without a fraction ({@code "v":1}, {@code "v":0}), while Jackson
   * would write {@code 1.0} for a double; clients must accept both integer and fractional JSON numbers.
   */
  private static Object number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < MAX_EXACT_LONG) {
      return (long) value;
    }
    return value;
  }
}
