package dev.finnhubstream.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Modern ClickHouse (26.x) embedded in Node.js by the npm package chdb, which {@code ci/chdb.sh install}
 * puts in {@code ci/chdb/node_modules}. A job runs statements in order in one session, then queries;
 * see {@code ci/chdb/run-sql.js}.
 */
public final class ChdbSupport {

  private static final Path RUNNER = Path.of("ci", "chdb", "run-sql.js").toAbsolutePath();
  private static final Path MODULE = Path.of("ci", "chdb", "node_modules", "chdb").toAbsolutePath();

  private ChdbSupport() {
  }

  /** The results of a job: the engine's version and, per query name, its rows. */
  public record Result(String version, Map<String, List<JsonObject>> rows) {
  }

  /**
   * Runs {@code statements}, then {@code queries}, in a fresh chdb session. {@code scratch} must be an
   * empty directory: chdb reads a {@code config.xml} from its working directory.
   */
  public static Result run(Path scratch, List<String> statements, Map<String, String> queries) throws IOException, InterruptedException {
    JsonObject result = runJob(scratch, new JsonObject().put("statements", new JsonArray(statements)).put("queries", new JsonObject(Map.copyOf(queries))), 300);
    JsonObject results = result.getJsonObject("results");
    Map<String, List<JsonObject>> rows = new java.util.LinkedHashMap<>();
    for (String name : results.fieldNames()) {
      rows.put(name, results.getJsonArray(name).stream().map(JsonObject.class::cast).toList());
    }
    return new Result(result.getString("version"), rows);
  }

  /**
   * Runs a job as {@code ci/chdb/run-sql.js} reads it (including its benchmark options {@code timeStatements},
   * {@code timed} and {@code repeat}) and returns its output as is. {@code scratch} must be an empty directory.
   */
  public static JsonObject runJob(Path scratch, JsonObject job, long timeoutSeconds) throws IOException, InterruptedException {
    if (!Files.isDirectory(MODULE)) {
      throw new AssertionError("chdb is not installed in " + MODULE + ". Run ci/chdb.sh install, or the tests with ci/test.sh, which does.");
    }
    Path jobFile = scratch.resolve("job.json");
    Files.writeString(jobFile, job.encode());
    Path out = scratch.resolve("out.json");
    Path err = scratch.resolve("err.txt");
    Process process = new ProcessBuilder("node", RUNNER.toString(), jobFile.toString())
      .directory(scratch.toFile())
      .redirectOutput(out.toFile())
      .redirectError(err.toFile())
      .start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chdb job did not finish within " + timeoutSeconds + " s");
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("chdb job failed (exit " + process.exitValue() + "): " + Files.readString(err, StandardCharsets.UTF_8));
    }
    return new JsonObject(Files.readString(out, StandardCharsets.UTF_8));
  }
}
