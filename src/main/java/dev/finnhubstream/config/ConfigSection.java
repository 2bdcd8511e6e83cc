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

  ConfigSection(String name, String environment, String file, JsonObject common, JsonObject env, Set<String> knownKeys) {
    this.name = name;
    this.environment = environment;
    this.file = file;
    this.knownKeys = knownKeys;
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
            + "; known keys of \"" + name + "\" are " + String.join(", ", knownKeys.stream().sorted().toList()));
      }
      values.put(key, part.getValue(key));
      origins.put(key, path + "." + key);
    }
  }

  /** Applies an environment variable override; the value is already converted to its JSON type. */
  void override(String key, Object value, String variable) {
    values.put(key, value);
    origins.put(key, variable);
  }

  /** The JSON path or variable that set {@code key}, or where it belongs when nothing set it. */
  String origin(String key) {
    return origins.getOrDefault(key, name + "." + key);
  }

  boolean has(String key) {
    read.add(key);
    return values.get(key) != null;
  }

  String string(String key) {
    Object v = require(key, "a non-empty string");
    if (!(v instanceof String s) || s.isBlank()) {
      throw wrongType(key, "a non-empty string");
    }
    return s;
  }

  /** A JSON array of objects, returned as is for the caller to validate field by field. */
  JsonArray objectList(String key) {
    String expected = "a JSON array of objects";
    Object v = require(key, expected);
    if (!(v instanceof JsonArray array) || array.stream().anyMatch(o -> !(o instanceof JsonObject))) {
      throw wrongType(key, expected);
    }
    return array;
  }

  String optionalString(String key) {
    return has(key) ? string(key) : null;
  }

  boolean bool(String key) {
    Object v = require(key, "true or false");
    if (!(v instanceof Boolean b)) {
      throw wrongType(key, "true or false (a JSON boolean, not a string)");
    }
    return b;
  }

  long integer(String key, long min, long max) {
    String expected = "an integer from " + min + " to " + max;
    Object v = require(key, expected);
    if (!(v instanceof Integer || v instanceof Long)) {
      throw wrongType(key, expected + " (a JSON number without a fraction, not a string)");
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      throw new ConfigException(origin(key), "value " + n + " is out of range", "use " + expected);
    }
    return n;
  }

  String oneOf(String key, List<String> allowed) {
    String s = string(key);
    if (!allowed.contains(s)) {
      throw new ConfigException(origin(key), "\"" + s + "\" is not allowed", "use one of " + String.join(", ", allowed));
    }
    return s;
  }

  List<String> stringList(String key) {
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

  /** The keys the service has read so far (present or not). */
  Set<String> keysRead() {
    return Set.copyOf(read);
  }

  ConfigException invalid(String key, String problem, String fix) {
    return new ConfigException(origin(key), problem, fix);
  }

  private Object require(String key, String expected) {
    if (!knownKeys.contains(key)) {
      throw new IllegalArgumentException("bug: key " + key + " is not declared for section " + name);
    }
    read.add(key);
    Object v = values.get(key);
    if (v == null && origins.containsKey(key)) {
      throw new ConfigException(origin(key), "is null", "make it " + expected + ", or remove the key to use the one in common." + name);
    }
    if (v == null) {
      throw new ConfigException(name + "." + key, "missing for environment \"" + environment + "\"",
        "add \"" + key + "\" (" + expected + ") to common." + name + " or environments." + environment + "." + name
          + " in " + file);
    }
    return v;
  }

  private ConfigException wrongType(String key, String expected) {
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
