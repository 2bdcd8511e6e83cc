package dev.finnhubstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DashboardConfigTest {

  private static JsonObject committed() throws Exception {
    return new JsonObject(Files.readString(Path.of("conf/app.json")));
  }

  @Test
  @DisplayName("local has the dashboard on the local ClickHouse; the cloud environments have none")
  void onlyLocal() throws Exception {
    AppConfig local = ConfigResolver.resolve(committed(), "conf/app.json", Map.of());
    assertThat(local.dashboard()).contains(new DashboardConfig(URI.create("http://127.0.0.1:18123"), "market", 5000, 60));
    AppConfig prod = ConfigResolver.resolve(committed(), "conf/app.json", Map.of("APP_ENV", "prod", "FINNHUB_TOKEN", "k",
      "KAFKA_BOOTSTRAP_SERVERS", "h:9091", "KAFKA_PASSWORD", "p"));
    assertThat(prod.dashboard()).isEmpty();
    assertThat(prod.redactedSummary().getValue("dashboard")).isNull();
  }

  @Test
  @DisplayName("CLICKHOUSE_URL overrides the URL")
  void override() throws Exception {
    AppConfig cfg = ConfigResolver.resolve(committed(), "conf/app.json", Map.of("CLICKHOUSE_URL", "http://127.0.0.1:48123"));
    assertThat(cfg.dashboard().orElseThrow().clickhouseUrl()).isEqualTo(URI.create("http://127.0.0.1:48123"));
    assertThat(cfg.redactedSummary().getJsonObject("dashboard").getString("database")).isEqualTo("market");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:18123", "https://ch:8443", "http://user:pw@127.0.0.1:18123", "http://127.0.0.1:18123/?database=x", "http://host"})
  @DisplayName("a ClickHouse URL that is not plain http://host:port stops start-up, naming the variable")
  void badUrl(String url) {
    assertThatThrownBy(() -> ConfigResolver.resolve(committed(), "conf/app.json", Map.of("CLICKHOUSE_URL", url)))
      .isInstanceOf(ConfigException.class)
      .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("CLICKHOUSE_URL"))
      .hasMessageContaining("Fix: ");
  }

  @Test
  @DisplayName("a typo in the dashboard section is caught like any other")
  void typo() throws Exception {
    JsonObject root = committed();
    root.getJsonObject("common").getJsonObject("dashboard").put("refresh_msec", 1000);
    assertThatThrownBy(() -> ConfigResolver.resolve(root, "conf/app.json", Map.of()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("common.dashboard.refresh_msec: unknown key")
      .hasMessageContaining("refresh_ms");
  }
}
