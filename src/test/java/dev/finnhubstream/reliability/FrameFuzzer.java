package dev.finnhubstream.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates Finnhub frames for fuzzing: valid trade frames, then one mutation each, with what the parser must
 * make of it where that is knowable (a removed price rejects exactly that trade as {@code missing_field:p}), and
 * blind mutations (bit flips, cuts, random bytes) where only the general invariants apply. Deterministic for a seed.
 */
final class FrameFuzzer {

  /** The kinds of mutation, roughly in the order of how much they keep of a valid frame. */
  enum Kind {
    VALID, UNICODE_SYMBOL, EXTRA_FIELDS, DEEP_NESTING, MISSING_FIELD, TYPE_SWAP, HUGE_NUMBER, NEGATIVE, NON_NUMERIC_LITERAL,
    DUPLICATE_FIELD, DUPLICATE_DATA, FRAME_SHAPE, TRUNCATION, BIT_FLIP, SPLICE, RANDOM_BYTES, TOKEN_SOUP
  }

  /** One field of a trade as written: its name and its JSON text. */
  record Field(String name, String json) {
  }

  /** A trade as generated, with the values the parser must return for it when it is valid. */
  record GeneratedTrade(String symbol, long ts, double price, double volume, List<String> conditions, List<Field> fields) {
  }

  /**
   * A generated frame and what it must parse to.
   *
   * @param trades       the trades as generated (for VALID-like kinds: all must come back, in order, none rejected)
   * @param rejectIndex  the element that must be rejected, or -1
   * @param rejectReason its reason
   * @param malformed    the Malformed reason the frame must get, or null; {@code "*"} = any Malformed
   * @param anyOutcome   only the general invariants apply (blind mutations)
   * @param orMalformed  the expected trades, or else {@code Malformed("invalid_json")} (nesting beyond Jackson's limit)
   */
  record Case(Kind kind, String frame, List<GeneratedTrade> trades, int rejectIndex, String rejectReason, String malformed,
              boolean anyOutcome, boolean orMalformed) {
  }

  private static final String[] SYMBOLS = {"AAPL", "MSFT", "IC MARKETS:1", "BINANCE:BTCUSDT", "OANDA:EUR_USD", "BRK.B", "^GSPC"};
  private static final String[] FIELDS = {"s", "t", "p", "v"};
  private static final String[] SOUP = {"{", "}", "[", "]", ",", ":", "\"type\"", "\"trade\"", "\"ping\"", "\"error\"", "\"data\"",
    "\"s\"", "\"p\"", "\"t\"", "\"v\"", "\"c\"", "\"msg\"", "1", "-1", "1.5", "1e999", "NaN", "null", "true", "\"AAPL\"", "\"\\u0000\"",
    " ", "\"", "\\", "\uD83D\uDE00", "\u0000"};

  private static final String[] NOT_ARRAYS = {"1", "-7.5", "null", "true", "\"trade\"", "{}", "{\"s\":\"AAPL\"}"};
  private static final String[] NOT_STRINGS = {"1", "-7.5", "null", "true", "false", "{}", "[]", "[\"trade\"]"};
  private static final String[] NOT_OBJECTS = {"1", "-7.5", "null", "true", "\"AAPL\"", "[]", "[{\"s\":\"AAPL\"}]"};

  private final SplittableRandom random;

  FrameFuzzer(long seed) {
    this.random = new SplittableRandom(seed);
  }

  Case next() {
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    return next(kind);
  }

  Case next(Kind kind) {
    List<GeneratedTrade> trades = trades(kind == Kind.UNICODE_SYMBOL);
    return switch (kind) {
      case VALID, UNICODE_SYMBOL -> ok(kind, frame(trades, List.of()), trades);
      case EXTRA_FIELDS -> {
        List<GeneratedTrade> withExtras = new ArrayList<>();
        for (GeneratedTrade t : trades) {
          List<Field> fields = new ArrayList<>(t.fields());
          for (int i = random.nextInt(4); i > 0; i--) {
            fields.add(random.nextInt(fields.size() + 1), new Field(extraName(), randomJson(3)));
          }
          withExtras.add(new GeneratedTrade(t.symbol(), t.ts(), t.price(), t.volume(), t.conditions(), fields));
        }
        yield ok(kind, frame(withExtras, List.of(new Field(extraName(), randomJson(4)))), withExtras);
      }
      case DEEP_NESTING -> {
        int depth = 1 + random.nextInt(random.nextBoolean() ? 900 : 20_000);
        String nested = "[".repeat(depth) + "]".repeat(depth);
        yield new Case(kind, frame(trades, List.of(new Field("x", nested))), trades, -1, null, null, false, true);
      }
      case MISSING_FIELD -> targeted(kind, trades, (t, f) -> without(t, f), f -> "missing_field:" + f);
      case TYPE_SWAP -> {
        String f = random.nextBoolean() ? "c" : pick(FIELDS);
        String bad = wrongValue(f);
        yield targeted(kind, trades, f, replaced(f, bad), "wrong_type:" + f);
      }
      case HUGE_NUMBER -> switch (random.nextInt(4)) {
        case 0 -> targeted(kind, trades, "t", replaced("t", "9".repeat(20 + random.nextInt(200))), "wrong_type:t");
        case 1 -> targeted(kind, trades, "p", replaced("p", "1e" + (309 + random.nextInt(100_000))), "invalid_value:p");
        case 2 -> targeted(kind, trades, "v", replaced("v", "-1e" + (309 + random.nextInt(1000))), "invalid_value:v");
        default -> {
          // Longer than Jackson's number limit (1000 digits): the whole frame is invalid JSON to it.
          String digits = "7".repeat(1001 + random.nextInt(5000));
          yield malformedCase(kind, rewrite(trades, 0, replaced("p", digits)), "invalid_json");
        }
      };
      case NEGATIVE -> switch (random.nextInt(3)) {
        case 0 -> targeted(kind, trades, "p", replaced("p", "-" + (1 + random.nextInt(1000)) + ".5"), "invalid_value:p");
        case 1 -> targeted(kind, trades, "v", replaced("v", "-0.0001"), "invalid_value:v");
        default -> targeted(kind, trades, "t", replaced("t", Long.toString(-random.nextLong(0, Long.MAX_VALUE))), "invalid_value:t");
      };
      case NON_NUMERIC_LITERAL -> {
        String literal = pick(new String[] {"NaN", "Infinity", "-Infinity", "+1", "0x10", ".5", "1.", "01"});
        yield malformedCase(kind, rewrite(trades, random.nextInt(trades.size()), replaced(pick(new String[] {"p", "v", "t"}), literal)),
          "invalid_json");
      }
      case DUPLICATE_FIELD -> {
        String f = pick(new String[] {"s", "t", "p", "v", "c"});
        String dup = switch (f) {
          case "s" -> quote("ZZZ");
          case "c" -> "[\"9\"]";
          default -> "12345";
        };
        yield targeted(kind, trades, f, t -> {
          List<Field> fields = new ArrayList<>(t.fields());
          if (fields.stream().noneMatch(x -> x.name().equals(f))) {
            fields.add(new Field(f, "[\"1\"]")); // "c" absent: add it first, so the duplicate is a duplicate
          }
          fields.add(new Field(f, dup));
          return fields;
        }, "duplicate_field:" + f);
      }
      case DUPLICATE_DATA -> malformedCase(kind, "{\"data\":" + data(trades) + ",\"type\":\"trade\",\"data\":" + data(trades(false)) + "}",
        "duplicate_key:data");
      case FRAME_SHAPE -> frameShape(trades);
      case TRUNCATION -> {
        String frame = frame(trades, List.of());
        yield malformedCase(kind, frame.substring(0, random.nextInt(frame.length())), "*");
      }
      case BIT_FLIP -> {
        byte[] bytes = frame(trades, List.of()).getBytes(StandardCharsets.UTF_8);
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
          bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        }
        yield blind(kind, new String(bytes, StandardCharsets.UTF_8));
      }
      case SPLICE -> {
        String frame = frame(trades, List.of());
        int a = random.nextInt(frame.length());
        int b = a + random.nextInt(frame.length() - a + 1);
        yield blind(kind, switch (random.nextInt(3)) {
          case 0 -> frame.substring(0, a) + frame.substring(b); // a range deleted
          case 1 -> frame.substring(0, b) + frame.substring(a); // a range repeated
          default -> frame.substring(0, a) + soup(1 + random.nextInt(5)) + frame.substring(a); // tokens inserted
        });
      }
      case RANDOM_BYTES -> {
        byte[] bytes = new byte[random.nextInt(400)];
        random.nextBytes(bytes);
        yield blind(kind, new String(bytes, StandardCharsets.UTF_8));
      }
      case TOKEN_SOUP -> blind(kind, soup(random.nextInt(60)));
    };
  }

  /** A valid trade frame of these trades, with extra top-level fields. */
  static String frame(List<GeneratedTrade> trades, List<Field> extra) {
    StringBuilder out = new StringBuilder("{\"data\":").append(data(trades));
    extra.forEach(f -> out.append(',').append(quote(f.name())).append(':').append(f.json()));
    return out.append(",\"type\":\"trade\"}").toString();
  }

  static String data(List<GeneratedTrade> trades) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < trades.size(); i++) {
      out.append(i == 0 ? "" : ",").append(object(trades.get(i).fields()));
    }
    return out.append(']').toString();
  }

  static String object(List<Field> fields) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < fields.size(); i++) {
      out.append(i == 0 ? "" : ",").append(quote(fields.get(i).name())).append(':').append(fields.get(i).json());
    }
    return out.append('}').toString();
  }

  /** 1 to 6 valid trades; symbols with unusual but valid characters, some escaped, when {@code unicode}. */
  List<GeneratedTrade> trades(boolean unicode) {
    List<GeneratedTrade> out = new ArrayList<>();
    for (int i = 1 + random.nextInt(6); i > 0; i--) {
      String symbol = unicode ? unicodeSymbol() : pick(SYMBOLS);
      long ts = 1_500_000_000_000L + random.nextLong(200_000_000_000L);
      double price = random.nextInt(10) == 0 ? random.nextInt(100_000) : random.nextDouble() * Math.pow(10, random.nextInt(-6, 9));
      double volume = random.nextInt(5) == 0 ? 0 : random.nextDouble() * Math.pow(10, random.nextInt(-6, 7));
      List<String> conditions = random.nextBoolean() ? List.of() : List.of("1", Integer.toString(random.nextInt(40)));
      List<Field> fields = new ArrayList<>(List.of(new Field("s", jsonString(symbol, unicode)), new Field("t", Long.toString(ts)),
        new Field("p", price == Math.rint(price) && random.nextBoolean() ? Long.toString((long) price) : Double.toString(price)),
        new Field("v", Double.toString(volume))));
      if (!conditions.isEmpty()) {
        fields.add(new Field("c", "[\"" + String.join("\",\"", conditions) + "\"]"));
      }
      shuffle(fields);
      out.add(new GeneratedTrade(symbol, ts, price, volume, conditions, fields));
    }
    return out;
  }

  private Case frameShape(List<GeneratedTrade> trades) {
    String data = data(trades);
    return switch (random.nextInt(7)) {
      case 0 -> malformedCase(Kind.FRAME_SHAPE, "{\"data\":" + data + "}", "missing_type");
      case 1 -> malformedCase(Kind.FRAME_SHAPE, "{\"type\":\"trade\",\"data\":" + pick(NOT_ARRAYS) + "}", "trade_without_data_array");
      case 2 -> malformedCase(Kind.FRAME_SHAPE, "[" + frame(trades, List.of()) + "]", "not_a_json_object");
      case 3 -> malformedCase(Kind.FRAME_SHAPE, frame(trades, List.of()) + pick(new String[] {"{}", "1", "[", "x", "\"a\""}), "*");
      case 4 -> malformedCase(Kind.FRAME_SHAPE, "{\"data\":" + data + ",\"type\":" + pick(NOT_STRINGS) + "}", "missing_type");
      case 5 -> blind(Kind.FRAME_SHAPE, "{\"data\":" + data + ",\"type\":" + quote(pick(new String[] {"ping", "error", "news", ""})) + "}");
      default -> {
        // Elements that are no objects: each is rejected as not_an_object, the trades around them still count.
        String junk = pick(NOT_OBJECTS);
        List<GeneratedTrade> kept = new ArrayList<>(trades);
        int at = random.nextInt(kept.size() + 1);
        String frame = "{\"type\":\"trade\",\"data\":[" + String.join(",", insert(objects(kept), at, junk)) + "]}";
        kept.add(at, null); // the junk's place: element indexes (and ingest ids) count it
        yield new Case(Kind.FRAME_SHAPE, frame, kept, at, "not_an_object", null, false, false);
      }
    };
  }

  private static List<String> objects(List<GeneratedTrade> trades) {
    return new ArrayList<>(trades.stream().map(t -> object(t.fields())).toList());
  }

  private static List<String> insert(List<String> list, int at, String element) {
    list.add(at, element);
    return list;
  }

  private Case targeted(Kind kind, List<GeneratedTrade> trades, java.util.function.BiFunction<GeneratedTrade, String, List<Field>> edit,
                        java.util.function.Function<String, String> reason) {
    String f = pick(FIELDS);
    return targeted(kind, trades, f, t -> edit.apply(t, f), reason.apply(f));
  }

  /** One random trade edited so that it must be rejected with {@code reason}; the others must all come through. */
  private Case targeted(Kind kind, List<GeneratedTrade> trades, String field, java.util.function.Function<GeneratedTrade, List<Field>> edit,
                        String reason) {
    int k = random.nextInt(trades.size());
    return new Case(kind, rewrite(trades, k, edit), trades, k, reason, null, false, false);
  }

  private String rewrite(List<GeneratedTrade> trades, int k, java.util.function.Function<GeneratedTrade, List<Field>> edit) {
    List<GeneratedTrade> edited = new ArrayList<>(trades);
    GeneratedTrade t = trades.get(k);
    edited.set(k, new GeneratedTrade(t.symbol(), t.ts(), t.price(), t.volume(), t.conditions(), edit.apply(t)));
    return frame(edited, List.of());
  }

  private static List<Field> without(GeneratedTrade t, String field) {
    return t.fields().stream().filter(f -> !f.name().equals(field)).toList();
  }

  private static java.util.function.Function<GeneratedTrade, List<Field>> replaced(String field, String json) {
    return t -> {
      List<Field> fields = new ArrayList<>(t.fields().stream().map(f -> f.name().equals(field) ? new Field(field, json) : f).toList());
      if (fields.stream().noneMatch(f -> f.name().equals(field))) {
        fields.add(new Field(field, json));
      }
      return fields;
    };
  }

  /** A value of the wrong JSON type for {@code field}. */
  private String wrongValue(String field) {
    List<String> options = new ArrayList<>(List.of("[]", "{}", "true", "[1,2]", "{\"a\":1}"));
    switch (field) {
      case "s" -> options.addAll(List.of("123", "1.5", "null", "\"\""));
      case "t" -> options.addAll(List.of("\"1700000000000\"", "1.7e12", "1700000000000.5", "null"));
      case "c" -> options.addAll(List.of("\"1\"", "12", "[null]", "[1.5]", "[[\"1\"]]", "{}"));
      default -> options.addAll(List.of("\"1.5\"", "\"NaN\"", "null"));
    }
    if (field.equals("c")) {
      options.removeAll(List.of("[]", "[1,2]")); // [] and integer codes are valid conditions
    }
    return pick(options.toArray(String[]::new));
  }

  private Case ok(Kind kind, String frame, List<GeneratedTrade> trades) {
    return new Case(kind, frame, trades, -1, null, null, false, false);
  }

  private static Case malformedCase(Kind kind, String frame, String reason) {
    return new Case(kind, frame, List.of(), -1, null, reason, false, false);
  }

  private static Case blind(Kind kind, String frame) {
    return new Case(kind, frame, List.of(), -1, null, null, true, false);
  }

  private String unicodeSymbol() {
    StringBuilder out = new StringBuilder();
    int[] pool = {'A', 'Z', ' ', ':', '.', '"', '\\', '/', 0, 0x1F, 0x7F, 0xE9, 0x20AC, 0x202E, 0xFEFF, 0x1F600, 0x10FFFF, 0x4E2D};
    for (int i = 1 + random.nextInt(12); i > 0; i--) {
      out.appendCodePoint(pool[random.nextInt(pool.length)]);
    }
    return out.toString();
  }

  /** The JSON string literal of {@code s}; with {@code escapeSome}, random characters as {@code \\uXXXX} escapes. */
  private String jsonString(String s, boolean escapeSome) {
    StringBuilder out = new StringBuilder("\"");
    // Per code point: escaping one half of a surrogate pair would leave the other half alone in the text, which no
    // WebSocket frame can carry (UTF-8 has no lone surrogates).
    s.codePoints().forEach(cp -> {
      if (cp == '"' || cp == '\\') {
        out.append('\\').appendCodePoint(cp);
      } else if (cp < 0x20 || escapeSome && random.nextInt(4) == 0) {
        for (char c : Character.toChars(cp)) {
          out.append(String.format("\\u%04x", (int) c));
        }
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.append('"').toString();
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private String extraName() {
    return pick(new String[] {"x", "extra", "S", "price", "tt", "data2", "ü", "$", ""});
  }

  private String randomScalar() {
    return pick(new String[] {"1", "-7.5", "null", "true", "false", "\"trade\"", "\"\"", "{}", "[]"});
  }

  private String randomJson(int depth) {
    if (depth == 0 || random.nextInt(3) == 0) {
      return randomScalar();
    }
    StringBuilder out = new StringBuilder();
    boolean array = random.nextBoolean();
    out.append(array ? '[' : '{');
    for (int i = random.nextInt(4); i > 0; i--) {
      if (out.length() > 1) {
        out.append(',');
      }
      if (!array) {
        out.append(quote(extraName() + i)).append(':');
      }
      out.append(randomJson(depth - 1));
    }
    return out.append(array ? ']' : '}').toString();
  }

  private String soup(int tokens) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      out.append(pick(SOUP));
    }
    return out.toString();
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }

  private <T> void shuffle(List<T> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
