package dev.finnhubstream.reliability;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One row of the reliability table: what a scenario promised and what was measured. Every reliability test
 * writes one file per scenario into {@link #DIR}; the table printer reads them all, so the docs/reliability.md table and
 * the CI log show the same figures.
 *
 * <p>Counts are of trades unless the column says otherwise; {@code -1} means "not measured in this scenario"
 * (printed as a dash), so a zero always is a measured zero.
 *
 * @param group        "Finnhub", "Kafka", "Service", "Bad input" or "Secrets": the table's sections
 * @param id           a short stable name, also the file name, e.g. {@code finnhub-abrupt-disconnects}
 * @param scenario     what was done, with its parameters, e.g. "abrupt disconnect every 20,000 trades"
 * @param promise      what the service promises under it, e.g. "every trade exactly once"
 * @param sent         trades the emulator sent
 * @param inKafka      trade records in the trades topic
 * @param inClickHouse rows in ClickHouse
 * @param missing      trades sent (or received, where the promise is about received ones) and absent from Kafka
 * @param duplicated   records beyond the first for one trade
 * @param deadLettered records in the dead-letter topic
 * @param dropped      trades the service reported dropped (a full disk buffer), never silently
 * @param recoveryMs   from the end of the fault to the first trade written after it (or caught up; see notes)
 * @param cases        generated inputs, for property-based and fuzz scenarios
 * @param passed       whether every promise held
 * @param notes        anything a reader needs to read the row right (bounds, what "missing" counts)
 */
public record ScenarioResult(String group, String id, String scenario, String promise, long sent, long inKafka,
                             long inClickHouse, long missing, long duplicated, long deadLettered, long dropped,
                             long recoveryMs, long cases, boolean passed, String notes) {

  /** Where the rows of the last run go: {@code target/reliability}. */
  public static final Path DIR = Path.of("target", "reliability");

  public JsonObject toJson() {
    return new JsonObject().put("group", group).put("id", id).put("scenario", scenario).put("promise", promise)
      .put("sent", sent).put("in_kafka", inKafka).put("in_clickhouse", inClickHouse).put("missing", missing)
      .put("duplicated", duplicated).put("dead_lettered", deadLettered).put("dropped", dropped)
      .put("recovery_ms", recoveryMs).put("cases", cases).put("passed", passed).put("notes", notes);
  }

  public static ScenarioResult fromJson(JsonObject j) {
    return new ScenarioResult(j.getString("group"), j.getString("id"), j.getString("scenario"), j.getString("promise"),
      j.getLong("sent"), j.getLong("in_kafka"), j.getLong("in_clickhouse"), j.getLong("missing"), j.getLong("duplicated"),
      j.getLong("dead_lettered"), j.getLong("dropped"), j.getLong("recovery_ms"), j.getLong("cases"), j.getBoolean("passed"),
      j.getString("notes"));
  }

  /**
   * Writes {@code target/reliability/<id>.json}, replacing the row of an earlier run, and renders the table
   * again, so {@code table.md} holds every row written so far whichever test ran last.
   */
  public ScenarioResult write() {
    try {
      Files.createDirectories(DIR);
      Files.writeString(DIR.resolve(id + ".json"), toJson().encodePrettily());
      ReliabilityTable.writeTable(DIR);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
