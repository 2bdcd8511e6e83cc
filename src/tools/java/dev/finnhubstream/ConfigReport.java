package dev.finnhubstream;

import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigKey;
import dev.finnhubstream.config.ConfigKeys;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.EnvironmentVariables;
import dev.finnhubstream.config.RecordConfig;
import dev.finnhubstream.sink.TradeJson;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Prints, as JSON, what the service makes of {@code conf/app.json}, so that tooling can hold Terraform to
 * the same reading ({@code ci/terraform} compares it with Terraform's own resolution):
 * <pre>
 * java -cp target/finnhub-stream-fat.jar:target/finnhub-stream-tools.jar dev.finnhubstream.ConfigReport [--file conf/app.json] [ENV ...]
 * </pre>
 * For each environment (all by default): every section merged from the file before environment-variable
 * overrides. Once for the file: the keys of each service section the service reads, the declared sections,
 * and the record fields the Kafka writer writes. Exit code 15 and the service's one-line message when the
 * service would refuse the file.
 *
 * <p>Values that only exist at run time in the cloud (the Finnhub token and Kafka password from Lockbox,
 * the brokers Terraform passes) are given placeholders, as the deployment provides them; they never
 * appear in the output.
 */
public final class ConfigReport {

  static final Map<String, String> DEPLOYMENT_PROVIDED = Map.of(
    EnvironmentVariables.FINNHUB_TOKEN, "placeholder-token",
    EnvironmentVariables.KAFKA_PASSWORD, "placeholder-password",
    ConfigKeys.KAFKA_BOOTSTRAP_SERVERS.variable(), "placeholder.invalid:9091");

  private ConfigReport() {
  }

  public static void main(String[] args) {
    String file = ConfigResolver.DEFAULT_FILE;
    List<String> environments = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--file") && i + 1 < args.length) {
        file = args[++i];
      } else if (args[i].startsWith("-")) {
        ToolConsole.message("usage: ConfigReport [--file conf/app.json] [ENV ...]");
        System.exit(2);
        return;
      } else {
        environments.add(args[i]);
      }
    }
    try {
      ToolConsole.output(report(Files.readString(Path.of(file)), file, environments).encodePrettily());
    } catch (IOException e) {
      ToolConsole.message("cannot read " + file + ": " + e.getMessage());
      System.exit(2);
    } catch (ConfigException e) {
      ToolConsole.message("Invalid configuration: " + e.getMessage());
      System.exit(15);
    }
  }

  /** The report for the given environments, or for every environment of the file when none is given. */
  static JsonObject report(String fileText, String file, List<String> environments) {
    JsonObject root;
    try {
      root = new JsonObject(fileText);
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(file, "not a valid JSON object", "fix the JSON syntax");
    }
    List<String> names = environments;
    if (names.isEmpty()) {
      JsonObject all = root.getJsonObject("environments", new JsonObject());
      names = new ArrayList<>(new TreeSet<>(all.fieldNames()));
    }
    JsonObject resolved = new JsonObject();
    Map<String, Set<String>> read = new TreeMap<>();
    for (String name : names) {
      Map<String, String> env = new HashMap<>(DEPLOYMENT_PROVIDED);
      env.put(EnvironmentVariables.APP_ENV, name);
      ConfigResolver.Report report = ConfigResolver.report(root, file, env);
      TradeJson.checkContract(report.config().record());
      ConfigResolver.dataLens(root, file, env); // the DataLens tool's rules (cache TTL within the refresh) hold in every environment
      resolved.put(name, report.sections());
      report.keysRead().forEach((section, keys) -> read.computeIfAbsent(section, s -> new TreeSet<>()).addAll(keys));
    }
    JsonObject declared = new JsonObject();
    JsonArray infrastructure = new JsonArray();
    JsonObject toolKeys = new JsonObject();
    for (ConfigKeys.Section section : ConfigKeys.sections()) {
      if (section.service()) {
        declared.put(section.name(), new JsonArray(new ArrayList<>(section.keyNames())));
      } else {
        infrastructure.add(section.name());
      }
      List<String> tool = section.keys().stream().filter(ConfigKey::readByTool).map(ConfigKey::name).sorted().toList();
      if (!tool.isEmpty()) {
        toolKeys.put(section.name(), new JsonArray(tool));
      }
    }
    JsonObject keysRead = new JsonObject();
    read.forEach((section, keys) -> keysRead.put(section, new JsonArray(new ArrayList<>(keys))));
    JsonArray written = new JsonArray();
    for (RecordConfig.Field f : TradeJson.WRITTEN) {
      written.add(new JsonObject().put("name", f.name()).put("type", f.type()).put("key", f.key()));
    }
    return new JsonObject()
      .put("environments", resolved)
      .put("service_sections", declared)
      .put("infrastructure_sections", infrastructure)
      .put("service_keys_read", keysRead)
      .put("tool_keys_read", toolKeys)
      .put("written_fields", written);
  }
}
