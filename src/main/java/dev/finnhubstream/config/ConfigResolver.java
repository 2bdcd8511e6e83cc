package dev.finnhubstream.config;

import static dev.finnhubstream.config.EnvironmentVariables.ADMIN_TOKEN;
import static dev.finnhubstream.config.EnvironmentVariables.FINNHUB_REST_URL;
import static dev.finnhubstream.config.EnvironmentVariables.FINNHUB_SYMBOLS;
import static dev.finnhubstream.config.EnvironmentVariables.FINNHUB_TOKEN;
import static dev.finnhubstream.config.EnvironmentVariables.FINNHUB_URL;
import static dev.finnhubstream.config.EnvironmentVariables.HTTP_PORT;
import static dev.finnhubstream.config.EnvironmentVariables.KAFKA_BOOTSTRAP_SERVERS;
import static dev.finnhubstream.config.EnvironmentVariables.KAFKA_PASSWORD;
import static dev.finnhubstream.config.EnvironmentVariables.KAFKA_TOPIC;
import static dev.finnhubstream.config.EnvironmentVariables.KAFKA_USERNAME;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
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

  /** Sections the service reads and validates key by key. */
  static final Map<String, Set<String>> SERVICE_SECTIONS = Map.of(
    "finnhub", FinnhubConfig.KEYS,
    "kafka", KafkaConfig.KEYS,
    "http", HttpConfig.KEYS,
    "record", RecordConfig.KEYS,
    "dashboard", DashboardConfig.KEYS,
    "market_hours", MarketHoursConfig.KEYS);

  /** Sections only Terraform reads; the service checks that they are objects and holds no secrets. */
  static final Set<String> INFRASTRUCTURE_SECTIONS = Set.of("yc", "backend", "network", "kafka_cluster",
    "clickhouse", "registry", "runtime");

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

  static ConfigException invalidJson(String file, String detail) {
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

  /** Like {@link #resolve(JsonObject, String, Map)}; {@code sections} receives the service sections it read. */
  private static AppConfig resolve(JsonObject root, String file, Map<String, String> env, Map<String, ConfigSection> sections) {
    for (String key : root.fieldNames()) {
      if (!TOP_LEVEL.contains(key)) {
        throw new ConfigException(key, "unknown top-level key in " + file,
          "the file holds only \"common\" and \"environments\"; move it under one of them");
      }
    }
    JsonObject common = object(root, "common", "common");
    JsonObject environments = object(root, "environments", "environments");
    String envName = blankToNull(env.get(EnvironmentVariables.APP_ENV));
    envName = envName == null ? DEFAULT_ENVIRONMENT : envName;
    if (!environments.containsKey(envName)) {
      throw new ConfigException(EnvironmentVariables.APP_ENV, "unknown environment \"" + envName + "\"",
        "set APP_ENV to one of " + String.join(", ", new TreeSet<>(environments.fieldNames())) + ", or add environments."
          + envName + " to " + file);
    }
    JsonObject environment = object(environments, envName, "environments." + envName);
    checkSections(common, "common");
    checkSections(environment, "environments." + envName);
    for (String other : environments.fieldNames()) {
      // Catch typos in every environment at start-up of any one, not only in the one deployed next: section
      // names, and the keys of the service's sections (building a section refuses unknown keys).
      JsonObject otherEnvironment = object(environments, other, "environments." + other);
      checkSections(otherEnvironment, "environments." + other);
      for (String name : SERVICE_SECTIONS.keySet()) {
        section(name, other, file, common, otherEnvironment);
      }
    }

    ConfigSection finnhub = section("finnhub", envName, file, common, environment);
    ConfigSection kafka = section("kafka", envName, file, common, environment);
    ConfigSection http = section("http", envName, file, common, environment);
    ConfigSection record = section("record", envName, file, common, environment);
    ConfigSection dashboard = section("dashboard", envName, file, common, environment);
    ConfigSection marketHours = section("market_hours", envName, file, common, environment);
    sections.putAll(Map.of("finnhub", finnhub, "kafka", kafka, "http", http, "record", record, "dashboard", dashboard,
      "market_hours", marketHours));

    overrideString(finnhub, "url", env, FINNHUB_URL);
    if (blankToNull(env.get(FINNHUB_SYMBOLS)) != null) {
      finnhub.override("symbols", parseSymbols(env.get(FINNHUB_SYMBOLS)), FINNHUB_SYMBOLS);
    }
    overrideString(kafka, "bootstrap_servers", env, KAFKA_BOOTSTRAP_SERVERS);
    overrideString(kafka, "topic", env, KAFKA_TOPIC);
    overrideString(kafka, "disk_buffer_dir", env, EnvironmentVariables.KAFKA_DISK_BUFFER_DIR);
    overrideString(kafka, "username", env, KAFKA_USERNAME);
    overrideString(dashboard, "clickhouse_url", env, EnvironmentVariables.CLICKHOUSE_URL);
    overrideString(marketHours, "rest_url", env, FINNHUB_REST_URL);
    if (blankToNull(env.get(HTTP_PORT)) != null) {
      try {
        http.override("port", Integer.parseInt(env.get(HTTP_PORT).strip()), HTTP_PORT);
      } catch (NumberFormatException e) {
        throw new ConfigException(HTTP_PORT, "\"" + env.get(HTTP_PORT) + "\" is not a port number", "use an integer from 0 to 65535");
      }
    }

    List<Secret> tokens = new ArrayList<>();
    String tokenList = blankToNull(env.get(FINNHUB_TOKEN));
    if (tokenList != null) {
      for (String token : tokenList.split(",", -1)) { // -1: a trailing stray comma is an empty key too, not dropped
        if (token.isBlank()) {
          throw new ConfigException(FINNHUB_TOKEN, "contains an empty key", "remove the stray comma");
        }
        tokens.add(new Secret(token.strip()));
      }
    }
    String password = blankToNull(env.get(KAFKA_PASSWORD));
    String adminToken = blankToNull(env.get(ADMIN_TOKEN));

    return new AppConfig(envName, file,
      FinnhubConfig.from(finnhub, tokens),
      KafkaConfig.from(kafka, password == null ? null : new Secret(password)),
      HttpConfig.from(http, adminToken == null ? null : new Secret(adminToken.strip())),
      RecordConfig.from(record),
      DashboardConfig.from(dashboard, clickhouseDatabase(common, environment)),
      MarketHoursConfig.from(marketHours));
  }

  /** {@code clickhouse.database}, merged like every section; the section itself belongs to Terraform. */
  private static String clickhouseDatabase(JsonObject common, JsonObject environment) {
    Object value = environment.getJsonObject("clickhouse", new JsonObject()).getValue("database",
      common.getJsonObject("clickhouse", new JsonObject()).getValue("database"));
    return value instanceof String s ? s : null;
  }

  /**
   * What the service makes of the file for one environment, for tooling (see {@code ci/terraform}): the
   * configuration, every section as merged from the file before environment-variable overrides (the
   * infrastructure sections with the same shallow merge, although the service itself only checks them),
   * and the keys of each service section the service read while resolving.
   */
  public record Report(AppConfig config, JsonObject sections, Map<String, Set<String>> serviceKeysRead) {
  }

  /** Resolves like {@link #resolve(JsonObject, String, Map)} and reports how; fails the same way. */
  public static Report report(JsonObject root, String file, Map<String, String> env) {
    Map<String, ConfigSection> service = new HashMap<>();
    AppConfig config = resolve(root, file, env, service);
    if (!service.keySet().equals(SERVICE_SECTIONS.keySet())) {
      throw new IllegalStateException("bug: resolve() registers " + new TreeSet<>(service.keySet())
        + " but the service sections are " + new TreeSet<>(SERVICE_SECTIONS.keySet()));
    }
    JsonObject common = root.getJsonObject("common");
    JsonObject environment = root.getJsonObject("environments").getJsonObject(config.environment());
    Set<String> names = new TreeSet<>(common.fieldNames());
    names.addAll(environment.fieldNames());
    JsonObject sections = new JsonObject();
    Map<String, Set<String>> read = new TreeMap<>();
    for (String name : names) {
      ConfigSection section = service.get(name);
      if (section == null) {
        sections.put(name, mergedSection(root, config.environment(), name));
      } else {
        read.put(name, section.keysRead());
        sections.put(name, section.fileValues());
      }
    }
    return new Report(config, sections, read);
  }

  /** The service sections with their declared keys, and the infrastructure sections, for tooling. */
  public static Map<String, Set<String>> serviceSectionKeys() {
    return new TreeMap<>(SERVICE_SECTIONS);
  }

  public static Set<String> infrastructureSections() {
    return new TreeSet<>(INFRASTRUCTURE_SECTIONS);
  }

  /**
   * {@code FINNHUB_SYMBOLS}: a JSON array, or a comma-separated list. Symbols are never split on spaces:
   * {@code IC MARKETS:1} is one symbol. Blanks around commas are trimmed.
   */
  static JsonArray parseSymbols(String value) {
    String v = value.strip();
    if (v.startsWith("[")) {
      try {
        return new JsonArray(v);
      } catch (DecodeException e) {
        throw new ConfigException(FINNHUB_SYMBOLS, "starts with '[' but is not a JSON array", "use [\"AAPL\",\"IC MARKETS:1\"] or AAPL,IC MARKETS:1");
      }
    }
    JsonArray symbols = new JsonArray();
    for (String s : v.split(",", -1)) {
      if (s.isBlank()) {
        throw new ConfigException(FINNHUB_SYMBOLS, "contains an empty symbol", "remove the stray comma in \"" + value + "\"");
      }
      symbols.add(s.strip());
    }
    return symbols;
  }

  private static void checkSections(JsonObject sections, String path) {
    Set<String> known = new TreeSet<>(SERVICE_SECTIONS.keySet());
    known.addAll(INFRASTRUCTURE_SECTIONS);
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

  /**
   * {@code merge(common.<section>, environments.<environment>.<section>)} one level deep, {@code $} comments
   * left out: what Terraform's {@code merge()} makes of the file, for the sections the service only checks
   * (the infrastructure's {@code clickhouse}, read by the schema tool). No environment-variable overrides.
   */
  public static JsonObject mergedSection(JsonObject root, String environment, String section) {
    JsonObject common = root.getJsonObject("common", new JsonObject()).getJsonObject(section, new JsonObject());
    JsonObject env = root.getJsonObject("environments", new JsonObject()).getJsonObject(environment, new JsonObject())
      .getJsonObject(section, new JsonObject());
    Set<String> present = new TreeSet<>(common.fieldNames());
    present.addAll(env.fieldNames());
    return new ConfigSection(section, environment, DEFAULT_FILE, common, env, present).fileValues();
  }

  private static ConfigSection section(String name, String envName, String file, JsonObject common, JsonObject environment) {
    return new ConfigSection(name, envName, file, common.getJsonObject(name), environment.getJsonObject(name),
      SERVICE_SECTIONS.get(name));
  }

  private static void overrideString(ConfigSection section, String key, Map<String, String> env, String variable) {
    String value = blankToNull(env.get(variable));
    if (value != null) {
      section.override(key, value.strip(), variable);
    }
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
