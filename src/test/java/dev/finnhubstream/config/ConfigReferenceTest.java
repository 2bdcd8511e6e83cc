package dev.finnhubstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finnhubstream.config.ConfigKey.Reader;
import dev.finnhubstream.config.ConfigKey.Type;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The files generated from {@link ConfigKeys} (and, for the values, {@code conf/app.json}) are current:
 * {@code docs/config-reference.md}, the reference a user reads, and {@code terraform/modules/config/keys.json}, the
 * key lists and rules Terraform's config module reads. After changing a key, regenerate both with
 * <pre>mvn -q test -Dtest=ConfigReferenceTest -Dconfig.reference.write=true</pre>
 * and commit them; without the property the test fails while either file is stale.
 */
class ConfigReferenceTest {

  static final Path REFERENCE = Path.of("docs/config-reference.md");
  static final Path TERRAFORM_KEYS = Path.of("terraform/modules/config/keys.json");
  private static final String REGENERATE = "mvn -q test -Dtest=ConfigReferenceTest -Dconfig.reference.write=true";

  @Test
  @DisplayName("docs/config-reference.md and terraform/modules/config/keys.json are what ConfigKeys generates")
  void generatedFilesAreCurrent() throws IOException {
    JsonObject app = new JsonObject(Files.readString(Path.of(ConfigResolver.DEFAULT_FILE)));
    Map<Path, String> generated = Map.of(REFERENCE, reference(app), TERRAFORM_KEYS, terraformKeys().encodePrettily() + "\n");
    if (Boolean.getBoolean("config.reference.write")) {
      for (Map.Entry<Path, String> e : generated.entrySet()) {
        Files.writeString(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<Path, String> e : generated.entrySet()) {
      String committed = Files.exists(e.getKey()) ? Files.readString(e.getKey()) : "";
      assertThat(committed).as("%s is stale: regenerate it with %s", e.getKey(), REGENERATE).isEqualTo(e.getValue());
    }
  }

  @Test
  @DisplayName("every key declared as read by the service is read while resolving some environment, and no other")
  void serviceReadsWhatItDeclares() throws IOException {
    JsonObject app = new JsonObject(Files.readString(Path.of(ConfigResolver.DEFAULT_FILE)));
    Set<String> read = new TreeSet<>();
    for (String env : app.getJsonObject("environments").fieldNames()) {
      Map<String, String> vars = new HashMap<>(Map.of("APP_ENV", env, "FINNHUB_TOKEN", "t", "KAFKA_PASSWORD", "p",
        "KAFKA_BOOTSTRAP_SERVERS", "b:9091"));
      ConfigResolver.report(app, "conf/app.json", vars).keysRead().forEach((section, keys) -> keys.forEach(k -> read.add(section + "." + k)));
    }
    Set<String> declared = ConfigKeys.all().stream().filter(k -> k.readBy(Reader.SERVICE)).map(ConfigKey::path)
      .collect(Collectors.toCollection(TreeSet::new));
    assertThat(read).isEqualTo(declared);
  }

  /** The key lists Terraform's config module reads: which sections are its own, which keys it and the project's tools read. */
  static JsonObject terraformKeys() {
    JsonObject reads = new JsonObject();
    JsonObject toolReads = new JsonObject();
    JsonArray own = new JsonArray();
    JsonObject patterns = new JsonObject();
    for (ConfigKeys.Section section : ConfigKeys.sections()) {
      if (!section.service()) {
        own.add(section.name());
      }
      List<String> terraform = names(section, Reader.TERRAFORM);
      if (!terraform.isEmpty()) {
        reads.put(section.name(), new JsonArray(terraform));
      }
      List<String> tool = section.keys().stream().filter(ConfigKey::readByTool).map(ConfigKey::name).sorted().toList();
      if (!section.service() && !tool.isEmpty()) {
        toolReads.put(section.name(), new JsonArray(tool));
      }
      for (ConfigKey key : section.keys()) {
        if (key.readBy(Reader.TERRAFORM) && key.pattern() != null) {
          patterns.put(key.path(), "^" + key.pattern().pattern() + "$");
        }
      }
    }
    return new JsonObject()
      .put("$comment", "Generated from src/main/java/dev/finnhubstream/config/ConfigKeys.java; do not edit. Regenerate: " + REGENERATE)
      .put("terraform_sections", own)
      .put("terraform_reads", reads)
      .put("tool_reads", toolReads)
      .put("patterns", patterns);
  }

  private static List<String> names(ConfigKeys.Section section, Reader reader) {
    return section.keys().stream().filter(k -> k.readBy(reader)).map(ConfigKey::name).sorted().toList();
  }

  /** The reference: every variable, then every section and key, with the values conf/app.json gives them. */
  static String reference(JsonObject app) {
    StringBuilder md = new StringBuilder();
    md.append("<!-- Generated from src/main/java/dev/finnhubstream/config/ConfigKeys.java and conf/app.json; do not edit.\n")
      .append("     Regenerate: ").append(REGENERATE).append(" -->\n")
      .append("# Configuration reference\n\n")
      .append("Every key of `conf/app.json` and every environment variable. How the file resolves (sections, `common` and\n")
      .append("`environments`, overrides, secrets, errors): [configuration.md](configuration.md). A key is declared once, in\n")
      .append("`ConfigKeys.java`; this page, Terraform's key lists and the service's checks all come from that declaration.\n\n")
      .append("**Required**: *every environment*, *deployed environments* (those with a `backend` section, which Terraform\n")
      .append("deploys), or *optional*. **Default** is the value in `common`; **per environment** lists what an environment sets.\n\n");

    md.append("## Environment variables\n\n| variable | overrides | meaning |\n|---|---|---|\n");
    for (EnvironmentVariables.Variable v : EnvironmentVariables.DECLARED) {
      md.append("| `").append(v.name()).append("` | — | ").append(v.secret() ? "**Secret**, never logged or shown. " : "").append(v.doc()).append(" |\n");
    }
    for (ConfigKey k : ConfigKeys.overridden()) {
      md.append("| `").append(k.variable()).append("` | `").append(k.path()).append("` | ").append(k.doc()).append(" |\n");
    }
    for (EnvironmentVariables.Variable v : EnvironmentVariables.ELSEWHERE) {
      md.append("| `").append(v.name()).append("` | — | ").append(v.doc()).append(" |\n");
    }

    JsonObject common = app.getJsonObject("common");
    JsonObject environments = app.getJsonObject("environments");
    for (ConfigKeys.Section section : ConfigKeys.sections()) {
      md.append("\n## `").append(section.name()).append("`").append(section.service() ? "" : " (Terraform)").append("\n\n")
        .append(section.doc()).append("\n\n")
        .append("| key | type | required | read by | default | per environment | meaning |\n|---|---|---|---|---|---|---|\n");
      for (ConfigKey k : section.keys()) {
        String rule = k.rule();
        String readers = k.readers().stream().sorted().map(Reader::label).collect(Collectors.joining(", "));
        md.append("| `").append(k.name()).append("` | ").append(k.type().label()).append(rule.isEmpty() ? "" : ", " + cell(rule))
          .append(" | ").append(k.presence().label()).append(" | ").append(readers)
          .append(" | ").append(value(k, common.getJsonObject(section.name(), new JsonObject())))
          .append(" | ").append(perEnvironment(k, environments))
          .append(" | ").append(k.doc()).append(k.variable() == null ? "" : " Variable: `" + k.variable() + "`.").append(" |\n");
      }
    }
    return md.toString();
  }

  private static String perEnvironment(ConfigKey k, JsonObject environments) {
    List<String> values = new ArrayList<>();
    for (String env : new TreeSet<>(environments.fieldNames())) {
      JsonObject section = environments.getJsonObject(env).getJsonObject(k.section());
      if (section != null && section.containsKey(k.name())) {
        values.add(env + ": " + value(k, section));
      }
    }
    return String.join("<br>", values);
  }

  /** A value as JSON, cut where long; the record's fields are only pointed at. */
  private static String value(ConfigKey k, JsonObject section) {
    if (!section.containsKey(k.name())) {
      return "";
    }
    if (k.type() == Type.OBJECT_LIST) {
      return "see `conf/app.json`";
    }
    Object v = section.getValue(k.name());
    String json = v instanceof JsonObject o ? new JsonObject(new TreeMap<>(o.getMap())).encode()
      : v instanceof JsonArray a ? a.encode() : v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    if (json.length() > 60) {
      json = json.substring(0, 57) + "...";
    }
    return "`" + json.replace("|", "\\|") + "`";
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
