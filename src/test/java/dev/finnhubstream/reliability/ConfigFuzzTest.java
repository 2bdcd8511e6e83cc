package dev.finnhubstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.AppConfig;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.ConfigKeys;
import dev.finnhubstream.config.EnvironmentVariables;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the configuration: every key of every service section of the committed {@code conf/app.json}, in
 * {@code common} and in each environment, removed, given a wrong type, an out-of-range or odd value, renamed (a typo),
 * nested one level too deep; sections replaced or misspelt; the file cut or garbled; and every environment variable of
 * {@link EnvironmentVariables#all()} set to garbage, blanks, huge, unicode and injection-like values. Resolution must
 * either succeed or throw {@link ConfigException} naming exactly the mutated key (or variable) with a one-line message
 * that carries a fix and never the value of a secret; never another exception.
 */
class ConfigFuzzTest {

  private static final Path FILE = Path.of("conf/app.json");
  private static final List<String> SERVICE_SECTIONS = ConfigKeys.sections().stream().filter(ConfigKeys.Section::service)
    .map(ConfigKeys.Section::name).toList();
  /** Values that stand in for a wrong type or an odd value of any key. */
  private static final List<Object> ODD_VALUES = List.of("", " ", "x", "1000", -1, 0, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 1.5,
    -0.0, 1e300, true, false, new JsonArray(), new JsonArray().add("a").add(1), new JsonObject(), new JsonObject().put("a", 1),
    "\u0000", "ü€😀", "a\nInjected log line", "'; DROP TABLE t; --", "${jndi:ldap://x/a}", "x".repeat(100_000));
  private static final List<String> ODD_ENV = List.of("", " ", "\t\n", "x", "-1", "0", "65536", "99999999999999999999", "1.5", "%%%", ",", ",,",
    "a,,b", "[", "[1,2]", "[\"AAPL\",]", "{}", "null", "ü€😀", "\u0000", "a\nInjected log line", "$(rm -rf /)", "'; DROP TABLE t; --",
    "${jndi:ldap://x/a}", "../../../../etc/passwd", "ws://", "wss://ws.finnhub.io?token=abc", "http://[::1", "AAPL,IC MARKETS:1",
    "local", "prod", "y".repeat(100_000));
  private static final String SECRET_CANARY = "cAnArY-sEcReT-";

  @Test
  @DisplayName("every mutation of conf/app.json and of every environment variable resolves, or fails naming exactly that key with a fix")
  void fuzzedConfiguration() throws Exception {
    JsonObject committed = new JsonObject(Files.readString(FILE));
    for (String env : committed.getJsonObject("environments").fieldNames()) {
      assertThat(resolve(committed, baseline(env))).as("the committed file resolves for %s", env).isNotNull();
    }
    List<String> failures = new ArrayList<>();
    Map<String, Integer> outcomes = new TreeMap<>();
    int cases = 0;

    List<String> environments = new ArrayList<>(committed.getJsonObject("environments").fieldNames());
    for (String scope : scopes(committed, environments)) {
      String env = scope.startsWith("environments.") ? scope.split("\\.")[1] : "local";
      JsonObject parent = at(committed, scope);
      for (String section : SERVICE_SECTIONS) {
        JsonObject values = parent.getJsonObject(section);
        if (values == null) {
          continue;
        }
        for (String key : List.copyOf(values.fieldNames())) {
          if (key.startsWith("$")) {
            continue;
          }
          String path = scope + "." + section + "." + key;
          List<Mutation> mutations = new ArrayList<>();
          mutations.add(new Mutation("remove", path, section + "." + key, o -> {
            o.remove(key);
            return o;
          }));
          for (Object odd : ODD_VALUES) {
            mutations.add(new Mutation("value " + shortText(odd), path, null, o -> o.put(key, odd)));
          }
          // Without a file value, the variable that overrides it is the other way to fix it, and the error may name that.
          String alternative = key.equals("bootstrap_servers") ? ConfigKeys.KAFKA_BOOTSTRAP_SERVERS.variable() : null;
          mutations.set(0, new Mutation("remove", path, alternative == null ? section + "." + key : alternative, o -> {
            o.remove(key);
            return o;
          }));
          mutations.add(new Mutation("null", path, alternative, o -> o.putNull(key)));
          mutations.add(new Mutation("nested too deep", path, null, o -> o.put(key, new JsonObject().put(key, o.getValue(key)))));
          String typo = key.length() > 3 ? key.substring(0, key.length() - 2) + key.charAt(key.length() - 1) : key + "x";
          mutations.add(new Mutation("typo " + typo, scope + "." + section + "." + typo, null, o -> o.put(typo, o.remove(key))));
          for (Mutation m : mutations) {
            cases++;
            JsonObject root = committed.copy();
            m.edit().apply(at(root, scope).getJsonObject(section));
            check(root, baseline(env), m, outcomes, failures);
          }
        }
      }
      // Whole sections: wrong type, misspelt, a secret-looking key.
      for (String section : SERVICE_SECTIONS) {
        if (!parent.containsKey(section)) {
          continue;
        }
        String path = scope + "." + section;
        for (Object odd : List.of("x", 1, new JsonArray(), true)) {
          cases++;
          JsonObject root = committed.copy();
          at(root, scope).put(section, odd);
          check(root, baseline(env), new Mutation("section " + shortText(odd), path, null, o -> o), outcomes, failures);
        }
        cases++;
        JsonObject root = committed.copy();
        at(root, scope).put(section + "s", at(root, scope).remove(section));
        check(root, baseline(env), new Mutation("section typo", path + "s", null, o -> o), outcomes, failures);
        cases++;
        root = committed.copy();
        at(root, scope).getJsonObject(section).put("api_token", SECRET_CANARY + "file");
        check(root, baseline(env), new Mutation("secret in file", path + ".api_token", null, o -> o), outcomes, failures);
      }
    }

    // The file as text: cut anywhere, or a byte changed, it is either still a valid configuration or a ConfigException.
    String text = Files.readString(FILE);
    SplittableRandom random = new SplittableRandom(Long.getLong("fuzz.seed", 7));
    for (int i = 0; i < 2_000; i++) {
      cases++;
      String broken = i % 2 == 0 ? text.substring(0, random.nextInt(text.length()))
        : text.substring(0, random.nextInt(text.length())) + (char) random.nextInt(32, 127) + text.substring(random.nextInt(text.length()));
      try {
        ConfigResolver.resolve(broken, FILE.toString(), Map.of());
        outcomes.merge("text: resolved", 1, Integer::sum);
      } catch (ConfigException e) {
        outcomes.merge("text: ConfigException", 1, Integer::sum);
        String problem = messageProblem(e, null);
        if (problem != null) {
          failures.add("garbled file: " + problem);
        }
      } catch (RuntimeException e) {
        failures.add("garbled file threw " + e);
      }
    }

    // Every environment variable the service reads, alone, with every odd value.
    for (String variable : EnvironmentVariables.all()) {
      if (variable.equals(EnvironmentVariables.APP_CONFIG)) {
        continue; // read by ConfigLoader before the resolver; the fat-jar tests cover it
      }
      for (String odd : ODD_ENV) {
        cases++;
        boolean secret = EnvironmentVariables.SECRETS.contains(variable);
        String value = secret ? odd + SECRET_CANARY : odd;
        Map<String, String> env = new HashMap<>(Map.of(variable, value));
        if (!variable.equals(EnvironmentVariables.FINNHUB_TOKEN)) {
          env.put(EnvironmentVariables.FINNHUB_TOKEN, SECRET_CANARY + "finnhub");
        }
        // Switching to the cloud environments without what Terraform sets there: the first missing one is named.
        Mutation m = new Mutation("env " + shortText(odd), variable,
          variable.equals(EnvironmentVariables.APP_ENV) ? ConfigKeys.KAFKA_BOOTSTRAP_SERVERS.variable() : null, o -> o);
        AppConfig config = check(committed, env, m, outcomes, failures);
        if (config != null) {
          String problem = takenAsGiven(config, variable, value);
          if (problem != null) {
            failures.add(variable + "=" + shortText(odd) + ": " + problem);
          }
        }
      }
    }

    new ScenarioResult("Bad input", "bad-input-fuzzed-config", String.format("%,d mutations of conf/app.json (every key of every service "
      + "section in common and each environment: removed, %d odd values and types, null, nested, misspelt; sections replaced or misspelt; "
      + "secret-like keys; the file cut or garbled) and of every environment variable (%d odd values each)", cases, ODD_VALUES.size(),
      ODD_ENV.size()),
      "resolves as given, or stops with ConfigException naming exactly the mutated key and a fix; never another exception, never a secret",
      -1, -1, -1, -1, -1, -1, -1, -1, cases, failures.isEmpty(),
      "outcomes " + outcomes + "; " + failures.size() + " violations").write();
    assertThat(failures).as("%d violations", failures.size()).isEmpty();
  }

  /**
   * What a deployment of {@code env} sets besides the file: the secrets (canaries that no message may show) and, outside
   * {@code local}, the bootstrap servers Terraform provides.
   */
  private static Map<String, String> baseline(String env) {
    Map<String, String> vars = new HashMap<>(Map.of("APP_ENV", env, EnvironmentVariables.FINNHUB_TOKEN, SECRET_CANARY + "finnhub",
      EnvironmentVariables.KAFKA_PASSWORD, SECRET_CANARY + "kafka"));
    if (!env.equals("local")) {
      vars.put(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS.variable(), "broker-1.example:9091");
    }
    return vars;
  }

  /** @param alsoRight the other key an error may name for this mutation (where a removed key is said to be missing), or null */
  private record Mutation(String what, String path, String alsoRight, UnaryOperator<JsonObject> edit) {
  }

  /** Resolves; records a violation unless it succeeds or throws a ConfigException naming the mutated key. */
  private static AppConfig check(JsonObject root, Map<String, String> env, Mutation m, Map<String, Integer> outcomes, List<String> failures) {
    try {
      AppConfig config = resolve(root, env);
      outcomes.merge("resolved", 1, Integer::sum);
      return config;
    } catch (ConfigException e) {
      outcomes.merge("ConfigException", 1, Integer::sum);
      boolean rightKey = e.key().equals(m.path()) || e.key().equals(m.alsoRight());
      if (!rightKey) {
        failures.add(m.path() + " (" + m.what() + "): names " + e.key() + ": " + shortText(e.getMessage()));
      }
      String problem = messageProblem(e, env);
      if (problem != null) {
        failures.add(m.path() + " (" + m.what() + "): " + problem);
      }
    } catch (RuntimeException e) {
      outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      failures.add(m.path() + " (" + m.what() + "): threw " + e);
    }
    return null;
  }

  /** One line, with a fix, no stack trace, no secret value. */
  private static String messageProblem(ConfigException e, Map<String, String> env) {
    String msg = e.getMessage();
    if (msg.contains("\n") || msg.contains("\r")) {
      return "message spans lines: " + shortText(msg);
    }
    if (!msg.contains(". Fix: ")) {
      return "message without a fix: " + shortText(msg);
    }
    if (e.getStackTrace().length > 0) {
      return "carries a stack trace";
    }
    if (msg.contains(SECRET_CANARY)) {
      return "message shows a secret: " + shortText(msg);
    }
    if (msg.length() > 4_000) {
      return "message of " + msg.length() + " characters";
    }
    return null;
  }

  /** For overrides that resolved: the configuration holds what the variable said. */
  private static String takenAsGiven(AppConfig c, String variable, String value) {
    String v = value.strip();
    if (v.isEmpty()) {
      return null; // blank = unset: the file's value stays
    }
    Map<String, Supplier<Object>> resolved = Map.of(
      ConfigKeys.FINNHUB_URL.variable(), () -> c.finnhub().url(),
      ConfigKeys.KAFKA_TOPIC.variable(), () -> c.kafka().topic(),
      ConfigKeys.KAFKA_BOOTSTRAP_SERVERS.variable(), () -> c.kafka().bootstrapServers(),
      ConfigKeys.HTTP_PORT.variable(), () -> Integer.toString(c.http().port()),
      EnvironmentVariables.APP_ENV, c::environment);
    Object actual = resolved.getOrDefault(variable, () -> v).get();
    return v.equals(actual) ? null : "resolved to " + shortText(actual) + " instead of " + shortText(v);
  }

  private static AppConfig resolve(JsonObject root, Map<String, String> env) {
    return ConfigResolver.resolve(root, FILE.toString(), env);
  }

  private static List<String> scopes(JsonObject root, List<String> environments) {
    List<String> scopes = new ArrayList<>(List.of("common"));
    environments.forEach(e -> scopes.add("environments." + e));
    return scopes;
  }

  private static JsonObject at(JsonObject root, String scope) {
    JsonObject o = root;
    for (String part : scope.split("\\.")) {
      o = o.getJsonObject(part);
    }
    return o;
  }

  private static String shortText(Object o) {
    String s = String.valueOf(o);
    return s.length() > 80 ? s.substring(0, 80) + "…(" + s.length() + ")" : s;
  }

}
