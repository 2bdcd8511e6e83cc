package dev.finnhubstream.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.base.ParserBase;
import dev.finnhubstream.bus.Trade;
import dev.finnhubstream.ingest.FinnhubMessage.Malformed;
import dev.finnhubstream.ingest.FinnhubMessage.RejectedTrade;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses Finnhub WebSocket frames into {@link FinnhubMessage}s with Jackson's streaming parser: one pass,
 * no intermediate tree, so the per-trade cost stays low at full speed.
 *
 * <p>Field realities it honours (see {@code finnhub-protocol.md} §4 and §9.6): {@code data} comes before
 * {@code type} in Finnhub's frames; a frame may mix symbols; {@code p} and {@code v} may be integers or
 * decimals; {@code v = 0} is a valid price-only update; {@code c} is optional; pings have no {@code data}.
 *
 * <p>One instance per connection (it runs on that connection's event loop for every frame): it keeps the
 * {@link TextCache} of symbols and condition codes, so it is not thread-safe.
 */
public final class FinnhubFrameParser {

  /**
   * Prices and volumes through Jackson's FastDoubleParser rather than {@code Double.parseDouble}: both round
   * correctly (the same double for the same text), the JDK's is the costlier part of a trade's parse.
   */
  private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
  /** The fields of a trade object, one character each (position = bit in the duplicate check). */
  private static final String TRADE_FIELDS = "stpvc";

  private final TextCache texts = new TextCache();

  /**
   * @param frame        the text frame as received
   * @param receivedAtMs when the frame arrived (copied into every trade)
   * @param idPrefix     {@code <runId>-<frameSeq>-}; each trade's ingest id is this plus its index in {@code data}
   */
  public FinnhubMessage parse(String frame, long receivedAtMs, String idPrefix) {
    try (JsonParser p = JSON.createParser(frame)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Malformed("not_a_json_object");
      }
      String type = null;
      String msg = null;
      boolean hasData = false;
      List<Trade> trades = new ArrayList<>();
      List<RejectedTrade> rejected = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> type = value == JsonToken.VALUE_STRING ? p.getText() : skipped(p);
          case "msg" -> msg = value == JsonToken.VALUE_STRING ? p.getText() : skipped(p);
          case "data" -> {
            if (hasData) {
              // A second "data" array would restart the element index: two trades with one ingest id, and the
              // downstream deduplication would drop one. Which array Finnhub meant is unknowable: refuse the frame.
              return new Malformed("duplicate_key:data");
            }
            if (value == JsonToken.START_ARRAY) {
              hasData = true;
              readTrades(p, frame, receivedAtMs, idPrefix, trades, rejected);
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return new Malformed("trailing_content");
      }
      if (type == null) {
        return new Malformed("missing_type");
      }
      return switch (type) {
        case "trade" -> hasData ? new FinnhubMessage.Trades(trades, rejected) : new Malformed("trade_without_data_array");
        case "ping" -> new FinnhubMessage.Ping();
        case "error" -> new FinnhubMessage.ServerError(msg == null ? "" : msg);
        default -> new FinnhubMessage.Unknown(type);
      };
    } catch (IOException | RuntimeException e) {
      // Truncated or invalid JSON, and anything else Jackson may throw: a frame never breaks the stream.
      return new Malformed("invalid_json");
    }
  }

  private void readTrades(JsonParser p, String frame, long receivedAtMs, String idPrefix, List<Trade> trades,
                          List<RejectedTrade> rejected) throws IOException {
    int index = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
      int start = elementStart(p);
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        rejected.add(new RejectedTrade(index, "not_an_object", raw(p, frame, start)));
        continue;
      }
      String error = null;
      String symbol = null;
      long ts = 0;
      double price = Double.NaN;
      double volume = Double.NaN;
      boolean hasTs = false;
      List<String> conditions = List.of();
      int seen = 0; // bit per known field: a repeated one makes the trade ambiguous (which price?), so it is rejected
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        int bit = TRADE_FIELDS.indexOf(field);
        if (bit >= 0 && field.length() == 1) {
          if ((seen & 1 << bit) != 0) {
            error = firstError(error, "duplicate_field:" + field);
          }
          seen |= 1 << bit;
        }
        switch (field) {
          case "s" -> {
            if (v == JsonToken.VALUE_STRING && p.getTextLength() > 0) {
              symbol = texts.of(p);
            } else {
              p.skipChildren();
              error = firstError(error, "wrong_type:s");
            }
          }
          case "t" -> {
            // Up to 18 characters always fit a long: Jackson's fast path. Longer ones are parsed from the text: asking
            // Jackson about an integer beyond long made it return that stale big value as a later float (fuzzing found it).
            Long parsed = v != JsonToken.VALUE_NUMBER_INT ? null : p.getTextLength() <= 18 ? (Long) p.getLongValue() : parseLong(p.getText());
            if (parsed != null) {
              ts = parsed;
              hasTs = true;
            } else {
              p.skipChildren(); // an object or array in its place: skip it whole, or its insides would be read as fields
              error = firstError(error, "wrong_type:t");
            }
          }
          case "p" -> {
            if (v.isNumeric()) {
              price = p.getDoubleValue();
            } else {
              p.skipChildren();
              error = firstError(error, "wrong_type:p");
            }
          }
          case "v" -> {
            if (v.isNumeric()) {
              volume = p.getDoubleValue();
            } else {
              p.skipChildren();
              error = firstError(error, "wrong_type:v");
            }
          }
          case "c" -> {
            if (v == JsonToken.START_ARRAY) {
              conditions = readConditions(p);
              if (conditions == null) {
                conditions = List.of();
                error = firstError(error, "wrong_type:c");
              }
            } else if (v != JsonToken.VALUE_NULL) {
              p.skipChildren();
              error = firstError(error, "wrong_type:c");
            }
          }
          default -> p.skipChildren();
        }
      }
      if (error == null) {
        error = validate(symbol, hasTs, ts, price, volume);
      }
      if (error == null) {
        trades.add(new Trade(symbol, ts, price, volume, conditions, receivedAtMs, idPrefix + index));
      } else {
        rejected.add(new RejectedTrade(index, error, raw(p, frame, start)));
      }
    }
  }

  /** The element's text: from its first token to the end of its last one (char offsets into the frame). */
  private static String raw(JsonParser p, String frame, int start) {
    int end = (int) p.currentLocation().getCharOffset();
    return start >= 0 && end <= frame.length() && start < end ? frame.substring(start, end) : "";
  }

  /**
   * Where the current token (an element of {@code data}) starts in the frame, without the {@code JsonLocation}
   * that {@code currentTokenLocation()} allocates per trade: a parser over a String is a {@link ParserBase},
   * whose token offset is one past the token's first character. The rejection test checks the raw texts it cuts.
   */
  private static int elementStart(JsonParser p) {
    return p instanceof ParserBase base ? (int) base.getTokenCharacterOffset() - 1 : (int) p.currentTokenLocation().getCharOffset();
  }

  /**
   * Condition codes are strings ("1", "12"); bare integers are accepted as their text, anything else is an error.
   * The list is immutable already, so {@link Trade} keeps it as it is instead of copying it.
   */
  private List<String> readConditions(JsonParser p) throws IOException {
    List<String> codes = new ArrayList<>(4);
    boolean ok = true;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
        codes.add(t == JsonToken.VALUE_STRING ? texts.of(p) : p.getText());
      } else {
        p.skipChildren();
        ok = false;
      }
    }
    return ok ? List.copyOf(codes) : null;
  }

  /** Skips a value of the wrong type, an object or array whole; null. */
  private static String skipped(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  private static Long parseLong(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException beyondLong) {
      return null;
    }
  }

  private static String validate(String symbol, boolean hasTs, long ts, double price, double volume) {
    if (symbol == null) {
      return "missing_field:s";
    }
    if (!hasTs) {
      return "missing_field:t";
    }
    if (Double.isNaN(price)) {
      return "missing_field:p";
    }
    if (Double.isNaN(volume)) {
      return "missing_field:v";
    }
    if (ts <= 0) {
      return "invalid_value:t";
    }
    if (Double.isInfinite(price) || price < 0) {
      return "invalid_value:p";
    }
    // v = 0 is a valid price-only update (FX, some crypto venues); only negative or infinite volume is wrong.
    if (Double.isInfinite(volume) || volume < 0) {
      return "invalid_value:v";
    }
    return null;
  }

  private static String firstError(String current, String candidate) {
    return current != null ? current : candidate;
  }
}
