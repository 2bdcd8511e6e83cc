package dev.finnhubstream.reliability;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The reliability table: every row in {@link ScenarioResult#DIR}, as markdown grouped by section (Finnhub, Kafka,
 * Service, Bad input, Secrets, then any other), in file-name order within a section. Written to
 * {@code target/reliability/table.md} and printed by {@link #main}, which {@code ci/soak.sh} calls; docs/reliability.md's
 * "Guarantees" table is a copy of it.
 */
public final class ReliabilityTable {

  static final List<String> GROUPS = List.of("Finnhub", "Kafka", "Service", "Bad input", "Secrets");
  private static final String HEADER = "| scenario | promise | sent | in Kafka | in ClickHouse | missing | duplicated"
    + " | dead-lettered | dropped | recovery | result |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n";

  private ReliabilityTable() {
  }

  /** Prints the table of {@code target/reliability} (or of the directory given) and writes its table.md. */
  public static void main(String[] args) {
    Path dir = args.length > 0 ? Path.of(args[0]) : ScenarioResult.DIR;
    System.out.print(writeTable(dir));
  }

  /** Reads every row of {@code dir}, writes {@code dir/table.md} and returns its text. */
  public static String writeTable(Path dir) {
    String table = render(read(dir));
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("table.md"), table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return table;
  }

  static List<ScenarioResult> read(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<ScenarioResult> rows = new ArrayList<>();
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
        rows.add(ScenarioResult.fromJson(new JsonObject(Files.readString(file))));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The markdown: one heading-less block per group, a bold group row, then its scenarios; notes below. */
  static String render(List<ScenarioResult> rows) {
    List<ScenarioResult> ordered = rows.stream().sorted(Comparator.comparingInt(ReliabilityTable::groupRank)
      .thenComparing(ScenarioResult::group).thenComparing(ScenarioResult::id)).toList();
    StringBuilder out = new StringBuilder(HEADER);
    List<String> notes = new ArrayList<>();
    String group = null;
    long passed = 0;
    for (ScenarioResult r : ordered) {
      if (!r.group().equals(group)) {
        group = r.group();
        out.append("| **").append(group).append("** | | | | | | | | | | |\n");
      }
      String scenario = r.scenario();
      if (r.notes() != null && !r.notes().isBlank()) {
        notes.add(r.notes());
        scenario += " [" + notes.size() + "]";
      }
      String sent = r.cases() >= 0 && r.sent() < 0 ? count(r.cases()) + " cases" : count(r.sent());
      out.append("| ").append(cell(scenario)).append(" | ").append(cell(r.promise())).append(" | ").append(sent)
        .append(" | ").append(count(r.inKafka())).append(" | ").append(count(r.inClickHouse()))
        .append(" | ").append(count(r.missing())).append(" | ").append(count(r.duplicated()))
        .append(" | ").append(count(r.deadLettered())).append(" | ").append(count(r.dropped()))
        .append(" | ").append(duration(r.recoveryMs())).append(" | ").append(r.passed() ? "pass" : "**FAIL**").append(" |\n");
      passed += r.passed() ? 1 : 0;
    }
    out.append('\n').append(passed).append(" of ").append(ordered.size()).append(" scenarios passed.\n");
    if (!notes.isEmpty()) {
      out.append('\n');
      for (int i = 0; i < notes.size(); i++) {
        out.append('[').append(i + 1).append("] ").append(notes.get(i).strip()).append("  \n");
      }
    }
    return out.toString();
  }

  private static int groupRank(ScenarioResult r) {
    int i = GROUPS.indexOf(r.group());
    return i < 0 ? GROUPS.size() : i;
  }

  /** A dash for "not measured" (negative), else the number with thousands separators. */
  static String count(long n) {
    return n < 0 ? "–" : String.format(Locale.ROOT, "%,d", n);
  }

  static String duration(long ms) {
    if (ms < 0) {
      return "–";
    }
    return ms < 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : String.format(Locale.ROOT, "%d s", Math.round(ms / 1000.0));
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }
}
