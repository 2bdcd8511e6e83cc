package dev.finnhubstream.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns the parsed {@code conf/app.json} plus the process environment into a validated {@link AppConfig}.
 * Pure (no I/O), so every rule is unit-tested with plain maps.
 *
 * <p>Shape of the file: {@code {"common": {<section>: {...}}, "environments": {<env>: {<section>: {...}}}}}.
 * Each section is resolved as {@code merge(common.<section>, environments.<env>.<section>)}, one level deep,
 * which is what Terraform's {@code merge()} does: a nested object inside a section is replaced whole.
 */
public final class ConfigResolver {

  public static final String DEFAULT_ENVIRONMENT = "local";
  public static final String DEFAULT_FILE = "conf/app.json";

  private static final Set<String> TOP_LEVEL = Set.of("common", "environments", "$comment");
  private static final Pattern SECRET_LIKE_KEY = Pattern.compile(".*(token|password|passwd|secret|private_key).*");

  private ConfigResolver() {
  }

  /** Like {@link #resolve(JsonObject, String, Map)}, from the file's text. */
  public static AppConfig resolve(String fileText, String file, Map<String, String> env) {
    JsonObject root;
    try {
      root = new JsonObject(fileText);
    } catch (DecodeException | ClassCastException e) {
      throw invalidJson(file, e.getMessage());
    }
    return resolve(root, file, env);
  }

  /** The configuration file: {@code APP_CONFIG}, or conf/app.json where it is unset or blank (blank = unset everywhere). */
  public static String configFile(Map<String, String> env) {
    String file = env.get(EnvironmentVariables.APP_CONFIG);
    return file == null || file.isBlank() ? DEFAULT_FILE : file;
  }

  public static ConfigException invalidJson(String file, String detail) {
    return new ConfigException(file, "not a valid JSON object (" + firstLine(detail) + ")",
      "fix the JSON syntax, or point " + EnvironmentVariables.APP_CONFIG + " at the right file");
  }

  /**
   * @param root the parsed config file
   * @param file its path, for messages
   * @param env  the process environment (only the names in {@link EnvironmentVariables#ALL} are read)
   */
  public static AppConfig resolve(JsonObject root, String file, Map<String, String> env) {
    return resolve(root, file, env, new HashMap<>());
  }

  /**
   * Every section of one environment, merged ({@code common} then the environment, one level deep) and
   * overridden by the environment variables declared on their keys, after the checks that hold for the whole
   * file: no unknown top-level key, section or key (in any environment), no secret-looking key. The service and
   * every tool read their sections through this, so they agree on every value and every refusal.
   *
   * @param env the process environment; {@code APP_ENV} picks the environment ({@code local} when unset or blank)
   */
  static Map<String, ConfigSection> sections(JsonObject root, String file, Map<String, String> env) {
    String envName = environmentName(env);
    for (String key : root.fieldNames()) {
      if (!TOP_LEVEL.contains(key)) {
        throw new ConfigException(key, "unknown top-level key in " + file,
          "the file holds only \"common\" and \"environments\"; move it under one of them");
      }
    }
    JsonObject common = object(root, "common", "common");
    JsonObject environments = object(root, "environments", "environments");
    if (!environments.containsKey(envName)) {
      throw new ConfigException(EnvironmentVariables.APP_ENV, "unknown environment \"" + envName + "\"",
        "set APP_ENV to one of " + String.join(", ", new TreeSet<>(environments.fieldNames())) + ", or add environments."
          + envName + " to " + file);
    }
    checkSections(common, "common");
    Map<String, ConfigSection> selected = null;
    for (String other : environments.fieldNames()) {
      // Catch typos in every environment at start-up of any one, not only in the one deployed next: section
      // names and keys (building a section refuses undeclared keys).
      JsonObject environment = object(environments, other, "environments." + other);
      checkSections(environment, "environments." + other);
      Map<String, ConfigSection> sections = new LinkedHashMap<>();
      for (ConfigKeys.Section declared : ConfigKeys.sections()) {
        sections.put(declared.name(), new ConfigSection(declared, other, file, common.getJsonObject(declared.name()),
          environment.getJsonObject(declared.name())));
      }
      if (other.equals(envName)) {
        selected = sections;
      }
    }
    for (ConfigKey key : ConfigKeys.overridden()) {
      selected.get(key.section()).overrideFrom(key, env);
    }
    return selected;
  }

  /**
   * What the ClickHouse schema tool needs, resolved like the service's configuration (same file checks, same
   * overrides, same messages) without the service's own sections, so no Finnhub token or Kafka password is needed.
   */
  public static ClickHouseConfig clickHouse(JsonObject root, String file, Map<String, String> env) {
    return ClickHouseConfig.from(sections(root, file, env));
  }

  /**
   * What the DataLens tool needs, resolved like the service's configuration (same file checks, same overrides, same
   * messages), with the rules that relate its keys ({@code cache_ttl_seconds} at most {@code refresh_seconds}).
   */
  public static DataLensConfig dataLens(JsonObject root, String file, Map<String, String> env) {
    return DataLensConfig.from(sections(root, file, env));
  }

  /** Like {@link #resolve(JsonObject, String, Map)}; {@code sections} receives the sections it read. */
  private static AppConfig resolve(JsonObject root, String file, Map<String, String> env, Map<String, ConfigSection> sections) {
    sections.putAll(sections(root, file, env));

    List<Secret> tokens = new ArrayList<>();
    String tokenList = blankToNull(env.get(EnvironmentVariables.FINNHUB_TOKEN));
    if (tokenList != null) {
      for (String token : tokenList.split(",", -1)) { // -1: a trailing stray comma is an empty key too, not dropped
        if (token.isBlank()) {
          throw new ConfigException(EnvironmentVariables.FINNHUB_TOKEN, "contains an empty key",
            "remove the stray comma, or write " + FinnhubConfig.RETIRED_KEY + " where a key was removed (its slot stays)");
        }
        tokens.add(token.strip().equals(FinnhubConfig.RETIRED_KEY) ? FinnhubConfig.RETIRED : new Secret(token.strip()));
      }
    }
    String password = blankToNull(env.get(EnvironmentVariables.KAFKA_PASSWORD));
    String adminToken = blankToNull(env.get(EnvironmentVariables.ADMIN_TOKEN));

    FinnhubConfig finnhub = FinnhubConfig.from(sections.get("finnhub"), tokens);
    return new AppConfig(environmentName(env), file,
      finnhub,
      KafkaConfig.from(sections.get("kafka"), password == null ? null : new Secret(password)),
      HttpConfig.from(sections.get("http"), adminToken == null ? null : new Secret(adminToken.strip())),
      RecordConfig.from(sections.get("record")),
      DashboardConfig.from(sections.get("dashboard"), sections.get("clickhouse")),
      MarketHoursConfig.from(sections.get("market_hours"), finnhub.uri()),
      HaConfig.from(sections.get("ha"), environmentName(env), finnhub.connectionCount()));
  }

  /**
   * What the service makes of the file for one environment, for tooling (see {@code ci/terraform}): the
   * configuration, every section present in the file as merged before environment-variable overrides (what
   * Terraform's {@code merge()} yields), and the keys of each section the service read while resolving.
   */
  public record Report(AppConfig config, JsonObject sections, Map<String, Set<String>> keysRead) {
  }

  /** Resolves like {@link #resolve(JsonObject, String, Map)} and reports how; fails the same way. */
  public static Report report(JsonObject root, String file, Map<String, String> env) {
    Map<String, ConfigSection> all = new LinkedHashMap<>();
    AppConfig config = resolve(root, file, env, all);
    JsonObject common = root.getJsonObject("common");
    JsonObject environment = root.getJsonObject("environments").getJsonObject(config.environment());
    JsonObject sections = new JsonObject();
    Map<String, Set<String>> read = new TreeMap<>();
    all.forEach((name, section) -> {
      if (common.containsKey(name) || environment.containsKey(name)) {
        sections.put(name, section.fileValues());
      }
      if (!section.keysRead().isEmpty()) {
        read.put(name, section.keysRead());
      }
    });
    return new Report(config, sections, read);
  }

  private static void checkSections(JsonObject sections, String path) {
    Set<String> known = new TreeSet<>();
    ConfigKeys.sections().forEach(section -> known.add(section.name()));
    for (String name : sections.fieldNames()) {
      if (!known.contains(name)) {
        String guess = ConfigSection.closest(name, known);
        throw new ConfigException(path + "." + name, "unknown section",
          (guess == null ? "remove it" : "did you mean \"" + guess + "\"? Rename it") + "; sections are " + String.join(", ", known));
      }
      JsonObject section = object(sections, name, path + "." + name);
      rejectSecrets(section, path + "." + name);
    }
  }

  private static void rejectSecrets(JsonObject object, String path) {
    for (String key : object.fieldNames()) {
      if (SECRET_LIKE_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches()) {
        throw new ConfigException(path + "." + key, "looks like a secret, and secrets never live in the config file",
          "remove it; pass secrets as environment variables (" + String.join(", ", EnvironmentVariables.SECRETS)
            + ") or through Lockbox in the cloud");
      }
      if (object.getValue(key) instanceof JsonObject nested) {
        rejectSecrets(nested, path + "." + key);
      }
    }
  }

  /** {@code APP_ENV}, or {@code local} when it is unset or blank. */
  public static String environmentName(Map<String, String> env) {
    String name = blankToNull(env.get(EnvironmentVariables.APP_ENV));
    return name == null ? DEFAULT_ENVIRONMENT : name;
  }

  private static JsonObject object(JsonObject parent, String key, String path) {
    Object value = parent.getValue(key);
    if (!(value instanceof JsonObject o)) {
      throw new ConfigException(path,
        value == null ? "missing" : "must be a JSON object", "make it an object: \"" + key + "\": { ... }");
    }
    return o;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
