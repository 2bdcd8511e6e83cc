package dev.finnhubstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReliabilityTableTest {

  @TempDir
  Path dir;

  private static ScenarioResult row(String group, String id, long sent, long cases, boolean passed, String notes) {
    return new ScenarioResult(group, id, "scenario " + id, "promise | of " + id, sent, sent, sent, 0, 0, -1, 0, 1_234, cases,
      passed, notes);
  }

  @Test
  void rowsAreGroupedInTheSuiteOrderWithNotesNumberedBelow() throws Exception {
    for (ScenarioResult r : List.of(row("Secrets", "secrets-scan", -1, 12, true, ""), row("Kafka", "kafka-1", 20_000, -1, true, "why"),
      row("Finnhub", "finnhub-2", 5, -1, false, "broke"), row("Finnhub", "finnhub-1", 1_000_000, -1, true, null))) {
      Files.writeString(dir.resolve(r.id() + ".json"), r.toJson().encode());
    }
    Files.writeString(dir.resolve("notes.txt"), "not a row");

    String table = ReliabilityTable.writeTable(dir);

    assertThat(Files.readString(dir.resolve("table.md"))).isEqualTo(table);
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).isEqualTo("| scenario | promise | sent | in Kafka | in ClickHouse | missing | duplicated | dead-lettered"
      + " | dropped | recovery | result |");
    assertThat(lines.subList(2, 9)).containsExactly(
      "| **Finnhub** | | | | | | | | | | |",
      "| scenario finnhub-1 | promise \\| of finnhub-1 | 1,000,000 | 1,000,000 | 1,000,000 | 0 | 0 | – | 0 | 1.2 s | pass |",
      "| scenario finnhub-2 [1] | promise \\| of finnhub-2 | 5 | 5 | 5 | 0 | 0 | – | 0 | 1.2 s | **FAIL** |",
      "| **Kafka** | | | | | | | | | | |",
      "| scenario kafka-1 [2] | promise \\| of kafka-1 | 20,000 | 20,000 | 20,000 | 0 | 0 | – | 0 | 1.2 s | pass |",
      "| **Secrets** | | | | | | | | | | |",
      "| scenario secrets-scan | promise \\| of secrets-scan | 12 cases | – | – | 0 | 0 | – | 0 | 1.2 s | pass |");
    assertThat(table).contains("3 of 4 scenarios passed.").contains("[1] broke").contains("[2] why");
  }

  @Test
  void durationsReadAsSeconds() {
    assertThat(ReliabilityTable.duration(-1)).isEqualTo("–");
    assertThat(ReliabilityTable.duration(850)).isEqualTo("0.9 s");
    assertThat(ReliabilityTable.duration(125_400)).isEqualTo("125 s");
  }
}
