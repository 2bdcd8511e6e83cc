package dev.finnhubstream.datalens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finnhubstream.datalens.Definitions.DefinitionException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The definition files' checks: a mistake stops the tool before any request, naming the file and the fix. */
class DefinitionsTest {

  private static final Map<String, String> PLACEHOLDERS = Map.of("database", "market", "trades_table", "trades", "window_minutes", "60");
  private static final String DASHBOARD = "{\"name\": \"d\", \"description\": \"x\", \"tab\": \"t\", \"widgets\": [{\"chart\": \"a\", \"x\": 0, \"y\": 0, \"w\": 12, \"h\": 8}]}";
  private static final String CHART = "{\"title\": \"A\", \"description\": \"x\", \"visualization\": \"line\", \"columns\": ["
    + "{\"name\": \"minute\", \"cast\": \"genericdatetime\", \"placeholder\": \"x\"}, {\"name\": \"v\", \"cast\": \"integer\", \"placeholder\": \"y\"}]}";

  private static Definitions load(Map<String, String> files) {
    return Definitions.load(new Definitions.Source() {
      @Override
      public String read(String relative) {
        return files.get(relative);
      }

      @Override
      public String describe() {
        return "test files";
      }
    }, PLACEHOLDERS);
  }

  private static Map<String, String> files() {
    Map<String, String> files = new HashMap<>();
    files.put("dashboard.json", DASHBOARD);
    files.put("charts/a.json", CHART);
    files.put("charts/a.sql", "-- a comment\nSELECT minute, v FROM ${database}.ohlcv_1m_bars\n");
    return files;
  }

  @Test
  @DisplayName("a good set loads: placeholders filled, comments gone")
  void loads() {
    Definitions d = load(files());
    assertThat(d.charts()).singleElement().satisfies(c -> assertThat(c.sql()).isEqualTo("SELECT minute, v FROM market.ohlcv_1m_bars"));
  }

  @Test
  @DisplayName("each kind of mistake is refused with the file and the fix")
  void mistakes() {
    Map<String, String> f = files();
    f.remove("charts/a.sql");
    assertThatThrownBy(() -> load(f)).isInstanceOf(DefinitionException.class).hasMessageStartingWith("charts/a.sql: missing in test files");
    Map<String, String> g = files();
    g.put("charts/a.sql", "SELECT ${nope}");
    assertThatThrownBy(() -> load(g)).hasMessageContaining("charts/a.sql").hasMessageContaining("${nope}").hasMessageContaining("Fix: use only ${database}");
    Map<String, String> h = files();
    h.put("charts/a.json", CHART.replace("\"integer\"", "\"decimal\""));
    assertThatThrownBy(() -> load(h)).hasMessageStartingWith("charts/a.json: column v has cast \"decimal\"");
    Map<String, String> i = files();
    i.put("charts/a.json", CHART.replace("\"placeholder\": \"y\"", "\"placeholder\": \"z\""));
    assertThatThrownBy(() -> load(i)).hasMessageContaining("placeholder \"z\"").hasMessageContaining("a line takes colors, x, y, y2");
    Map<String, String> j = files();
    j.put("dashboard.json", DASHBOARD.replace("\"x\": 0", "\"x\": 30"));
    assertThatThrownBy(() -> load(j)).hasMessageContaining("does not fit the 36-column grid");
    Map<String, String> k = files();
    k.put("charts/a.sql", "SELECT 1;");
    assertThatThrownBy(() -> load(k)).hasMessageContaining("ends with ';'");
  }
}
