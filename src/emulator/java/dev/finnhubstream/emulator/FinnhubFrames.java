package dev.finnhubstream.emulator;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes server frames with Finnhub's exact key order ({@code data} before {@code type}, {@code msg} before
 * {@code type}, trade keys alphabetical), relying on {@link JsonObject} keeping insertion order; trade frames,
 * the hot path, are written by hand in the same order. Strings always go through the JSON encoder: symbols
 * contain spaces, colons and possibly quotes.
 */
final class FinnhubFrames {

  static final String PING = new JsonObject().put("type", "ping").encode();
  static final String TOO_MANY_SYMBOLS = error("Subscribing to too many symbols");

  /**
   * Finnhub's encoder writes whole numbers without a fraction ({@code "v":1}, {@code "v":0}), while Jackson would
   * write {@code 1.0} for a double; clients must accept both integer and fractional JSON numbers. Whole numbers
   * above this are left as doubles; below it a long is exact.
   */
  private static final double MAX_EXACT_LONG = 1e15;
  /** Strings seen in trade frames → their JSON literal; shared by every emulator of the process. */
  private static final Map<String, String> ENCODED = new ConcurrentHashMap<>();
  private static final int MAX_ENCODED = 10_000;

  private FinnhubFrames() {
  }

  static String invalidSymbol(String symbol) {
    return error("Invalid symbol " + symbol);
  }

  static String error(String msg) {
    return new JsonObject().put("msg", msg).put("type", "error").encode();
  }

  static String trades(List<EmulatedTrade> trades) {
    // Written by hand, not through JsonObject and Jackson: at full speed that encoding was more than half of the
    // emulator's CPU (JFR), and the emulator shares the benchmark's two cores with the service it feeds. The text
    // is the encoder's, character for character: strings through a cache of Jackson's own encoding, numbers as
    // Jackson writes them (FinnhubFramesTest compares the two on generated trades and odd symbols).
    StringBuilder out = new StringBuilder(32 + 64 * trades.size()).append("{\"data\":[");
    for (int i = 0; i < trades.size(); i++) {
      EmulatedTrade trade = trades.get(i);
      out.append(i == 0 ? "{" : ",{");
      if (trade.c() != null) {
        out.append("\"c\":[");
        for (int j = 0; j < trade.c().size(); j++) {
          out.append(j == 0 ? "" : ",").append(encoded(trade.c().get(j)));
        }
        out.append("],");
      }
      out.append("\"p\":");
      appendNumber(out, trade.p());
      out.append(",\"s\":").append(encoded(trade.symbol())).append(",\"t\":").append(trade.t()).append(",\"v\":");
      appendNumber(out, trade.v());
      out.append('}');
    }
    return out.append("],\"type\":\"trade\"}").toString();
  }

  /** A JSON string literal as Jackson writes it, cached: symbols and condition codes are a small set. */
  private static String encoded(String text) {
    String json = ENCODED.get(text);
    if (json == null) {
      if (ENCODED.size() >= MAX_ENCODED) {
        ENCODED.clear(); // subscriptions are the tests' to choose: bound the cache, never fail
      }
      json = Json.encode(text);
      ENCODED.put(text, json);
    }
    return json;
  }

  private static void appendNumber(StringBuilder out, double value) {
    if (value == Math.rint(value) && Math.abs(value) < MAX_EXACT_LONG) {
      out.append((long) value);
    } else {
      out.append(Double.toString(value)); // what Jackson writes for a double
    }
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
}
