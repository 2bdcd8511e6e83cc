package dev.finnhubstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.sink.TradeJson;
import dev.finnhubstream.config.ConfigKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The report ci/terraform holds Terraform's resolution of conf/app.json to. */
class ConfigReportTest {

  private static final String FILE = "conf/app.json";

  private static String committed() throws IOException {
    return Files.readString(Path.of(FILE));
  }

  @Test
  @DisplayName("every environment is reported, each section merged one level deep from common and the environment")
  void sectionsPerEnvironment() throws IOException {
    JsonObject withComment = new JsonObject(committed());
    withComment.getJsonObject("common").getJsonObject("yc").put("$comment", "a note for the reader");
    JsonObject environments = ConfigReport.report(withComment.encode(), FILE, List.of()).getJsonObject("environments");
    assertThat(environments.fieldNames()).containsExactlyInAnyOrder("local", "dev", "prod");
    JsonObject prod = environments.getJsonObject("prod");
    // Infrastructure sections too: prod's yc adds keys to common's, which stay.
    assertThat(prod.getJsonObject("yc").getBoolean("deletion_protection")).isTrue();
    assertThat(prod.getJsonObject("yc").getString("zone")).isEqualTo("ru-central1-a");
    // A list set by the environment replaces common's whole.
    assertThat(environments.getJsonObject("dev").getJsonObject("kafka_cluster").getJsonArray("zones"))
      .isEqualTo(new JsonArray().add("ru-central1-a"));
    // "$" keys are comments, not values.
    assertThat(prod.getJsonObject("yc").fieldNames()).noneMatch(k -> k.startsWith("$"));
    assertThat(prod.getJsonObject("record").fieldNames()).containsExactly("fields");
    // Values from the file only: the run-time placeholders given for the cloud never show.
    assertThat(environments.encode()).doesNotContain("placeholder");
    assertThat(prod.getJsonObject("kafka").containsKey("bootstrap_servers")).isFalse();
  }

  @Test
  @DisplayName("the keys the service reads are declared ones, and include the optional keys it looks for")
  void keysRead() throws IOException {
    JsonObject report = ConfigReport.report(committed(), FILE, List.of());
    JsonObject read = report.getJsonObject("service_keys_read");
    JsonObject declared = report.getJsonObject("service_sections");
    assertThat(read.fieldNames()).containsAll(declared.fieldNames());
    for (String section : read.fieldNames()) {
      assertThat(ConfigKeys.section(section).orElseThrow().keyNames()).containsAll(read.getJsonArray(section).getList());
    }
    // The service's one key of a Terraform section: the database the local dashboard reads.
    assertThat(read.getJsonArray("clickhouse").getList()).containsExactly("database");
    // bootstrap_servers is absent from the cloud sections but still read (from KAFKA_BOOTSTRAP_SERVERS).
    assertThat(read.getJsonArray("kafka").getList()).contains("bootstrap_servers", "topic", "username");
    assertThat(report.getJsonArray("infrastructure_sections").getList()).contains("yc", "backend", "clickhouse");
  }

  @Test
  @DisplayName("the written fields are the Kafka writer's, in order")
  void writtenFields() throws IOException {
    JsonArray written = ConfigReport.report(committed(), FILE, List.of("dev")).getJsonArray("written_fields");
    assertThat(written.stream().map(o -> ((JsonObject) o).getString("name")).collect(Collectors.toList()))
      .isEqualTo(TradeJson.FIELDS);
  }

  @Test
  @DisplayName("a file the service would refuse fails the report the same way")
  void refusesLikeTheService() throws IOException {
    JsonObject root = new JsonObject(committed());
    root.getJsonObject("environments").getJsonObject("prod").getJsonObject("clickhouse").put("admin_password", "x");
    assertThatThrownBy(() -> ConfigReport.report(root.encode(), FILE, List.of("dev")))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("environments.prod.clickhouse.admin_password");
    assertThatThrownBy(() -> ConfigReport.report("{", FILE, List.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("not a valid JSON object");
  }
}
