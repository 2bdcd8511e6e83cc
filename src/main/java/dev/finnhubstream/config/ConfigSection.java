package dev.finnhubstream.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One top-level section of {@code conf/app.json} (e.g. {@code finnhub}) resolved for an environment:
 * {@code common.<section>} shallowly merged with {@code environments.<env>.<section>}, then environment
 * variable overrides. This is exactly Terraform's {@code merge(common.x, environments[env].x)}, so the
 * service and Terraform always agree on the effective values.
 *
 * <p>It remembers where every value came from, so each error names the exact JSON path or variable to
 * change. Typed getters reject wrong types instead of coercing them.
 */
final class ConfigSection {

  private final String name;
  private final String environment;
  private final String file;
  private final Set<String> knownKeys;
  private final Map<String, Object> values = new HashMap<>();
  private final Map<String, String> origins = new HashMap<>();
  /** The merged file values before any environment-variable override: what Terraform's merge() yields. */
  private final JsonObject fileValues = new JsonObject();
  /** Keys the service asked for, so tooling can prove that no key in the file is dead. */
  private final Set<String> read = new TreeSet<>();

  ConfigSection(ConfigKeys.Section declared, String environment, String file, JsonObject common, JsonObject env) {
    this.name = declared.name();
    this.environment = environment;
    this.file = file;
    this.knownKeys = declared.keyNames();
    take(common, "common." + name);
    take(env, "environments." + environment + "." + name);
    values.forEach(fileValues::put);
  }

  private void take(JsonObject part, String path) {
    if (part == null) {
      return;
    }
    for (String key : part.fieldNames()) {
      if (key.startsWith("$")) {
        continue; // "$comment" and friends: documentation inside the JSON file
      }
      if (!knownKeys.contains(key)) {
        String guess = closest(key, knownKeys);
        throw new ConfigException(path + "." + key, "unknown key in " + file,
          (guess == null ? "remove it" : "did you mean \"" + guess + "\"? Rename it")
            + "; known keys of \"" + name + "\" are " + String.join(", ", knownKeys));
      }
      values.put(key, part.getValue(key));
      origins.put(key, path + "." + key);
    }
  }

  /**
   * Applies the environment-variable override of {@code key}, if its variable is set and not blank (a blank
   * value counts as unset everywhere, so {@code export KAFKA_TOPIC=} changes nothing), converted to the key's type.
   */
  void overrideFrom(ConfigKey key, Map<String, String> env) {
    String raw = env.get(key.variable());
    if (raw == null || raw.isBlank()) {
      return;
    }
    String variable = key.variable();
    Object value = switch (key.type()) {
      case STRING -> raw.strip();
      case INTEGER -> {
        try {
          yield Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
          throw new ConfigException(variable, "\"" + raw + "\" is not a whole number", "use " + key.rule());
        }
      }
      case STRING_LIST -> parseList(variable, raw);
      case BOOLEAN -> switch (raw.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new ConfigException(variable, "\"" + raw + "\" is not true or false", "use true or false");
      };
      default -> throw new IllegalStateException("bug: no override syntax for " + key.type() + " (" + key.path() + ")");
    };
    values.put(key.name(), value);
    origins.put(key.name(), variable);
  }

  /**
   * A list variable: a JSON array, or a comma-separated list. Items are never split on spaces
   * ({@code IC MARKETS:1} is one symbol); blanks around commas are trimmed.
   */
  static JsonArray parseList(String variable, String value) {
    String v = value.strip();
    if (v.startsWith("[")) {
      try {
        return new JsonArray(v);
      } catch (io.vertx.core.json.DecodeException e) {
        throw new ConfigException(variable, "starts with '[' but is not a JSON array", "use [\"AAPL\",\"IC MARKETS:1\"] or AAPL,IC MARKETS:1");
      }
    }
    JsonArray items = new JsonArray();
    for (String s : v.split(",", -1)) {
      if (s.isBlank()) {
        throw new ConfigException(variable, "contains an empty symbol", "remove the stray comma in \"" + value + "\"");
      }
      items.add(s.strip());
    }
    return items;
  }

  /** The JSON path or variable that set {@code key}, or where it belongs when nothing set it. */
  String origin(ConfigKey key) {
    return origins.getOrDefault(key.name(), key.path());
  }

  boolean has(ConfigKey key) {
    read.add(own(key).name());
    return values.get(key.name()) != null;
  }

  /** A string, checked against the key's allowed values or pattern. */
  String string(ConfigKey key) {
    Object v = require(key, "a non-empty string");
    if (!(v instanceof String s) || s.isBlank()) {
      throw wrongType(key, "a non-empty string");
    }
    if (!key.allowed().isEmpty() && !key.allowed().contains(s)) {
      throw new ConfigException(origin(key), "\"" + s + "\" is not allowed", "use one of " + String.join(", ", key.allowed()));
    }
    if (key.pattern() != null && !key.pattern().matcher(s).matches()) {
      throw new ConfigException(origin(key), "\"" + s + "\" " + key.problem(), key.fix());
    }
    return s;
  }

  /** A JSON array of objects, returned as is for the caller to validate field by field. */
  JsonArray objectList(ConfigKey key) {
    String expected = "a JSON array of objects";
    Object v = require(key, expected);
    if (!(v instanceof JsonArray array) || array.stream().anyMatch(o -> !(o instanceof JsonObject))) {
      throw wrongType(key, expected);
    }
    return array;
  }

  String optionalString(ConfigKey key) {
    return has(key) ? string(key) : null;
  }

  boolean bool(ConfigKey key) {
    Object v = require(key, "true or false");
    if (!(v instanceof Boolean b)) {
      throw wrongType(key, "true or false (a JSON boolean, not a string)");
    }
    return b;
  }

  /** An integer within the key's declared range. */
  long integer(ConfigKey key) {
    String expected = key.rule();
    Object v = require(key, expected);
    if (!(v instanceof Integer || v instanceof Long)) {
      throw wrongType(key, expected + " (a JSON number without a fraction, not a string)");
    }
    long n = ((Number) v).longValue();
    if (n < key.min() || n > key.max()) {
      throw new ConfigException(origin(key), "value " + n + " is out of range", "use " + expected);
    }
    return n;
  }

  List<String> stringList(ConfigKey key) {
    String expected = "a JSON array of non-empty strings";
    Object v = require(key, expected);
    if (!(v instanceof JsonArray array)) {
      throw wrongType(key, expected);
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw wrongType(key, expected + " (found " + (item == null ? "null" : "\"" + item + "\"") + ")");
      }
      out.add(s);
    }
    return out;
  }

  /** The section as merged from the file, without environment-variable overrides and {@code $} comments. */
  JsonObject fileValues() {
    return fileValues.copy();
  }

  /** The keys read so far (present or not). */
  Set<String> keysRead() {
    return Set.copyOf(read);
  }

  ConfigException invalid(ConfigKey key, String problem, String fix) {
    return new ConfigException(origin(key), problem, fix);
  }

  private ConfigKey own(ConfigKey key) {
    if (!key.section().equals(name)) {
      throw new IllegalArgumentException("bug: key " + key.path() + " read from section " + name);
    }
    return key;
  }

  private Object require(ConfigKey key, String expected) {
    read.add(own(key).name());
    Object v = values.get(key.name());
    if (v == null && origins.containsKey(key.name())) {
      throw new ConfigException(origin(key), "is null", "make it " + expected + ", or remove the key to use the one in common." + name);
    }
    if (v == null) {
      throw new ConfigException(key.path(), "missing for environment \"" + environment + "\"",
        "add \"" + key.name() + "\" (" + expected + ") to common." + name + " or environments." + environment + "." + name
          + " in " + file);
    }
    return v;
  }

  private ConfigException wrongType(ConfigKey key, String expected) {
    return new ConfigException(origin(key), "wrong type", "make it " + expected);
  }

  /** The known key nearest to a typo, if it is close enough to be a plausible guess. */
  static String closest(String typo, Set<String> candidates) {
    return candidates.stream()
      .map(c -> Map.entry(c, distance(typo.toLowerCase(), c.toLowerCase())))
      .filter(e -> e.getValue() <= Math.max(2, e.getKey().length() / 3))
      .min(Comparator.comparingInt(Map.Entry::getValue))
      .map(Map.Entry::getKey)
      .orElse(null);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
