package dev.finnhubstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handful of the {@link ConfigFuzzTest} mutations through the fat jar, as an operator meets them: the process exits
 * with code 15 and prints one line naming the key and the fix, no stack trace, no forged second line from a value with
 * a newline, and never the value of a secret.
 */
class ConfigFuzzIT {

  private static final Path JAR = Path.of("target", "finnhub-stream-fat.jar");
  private static final String CANARY = "Canary" + System.nanoTime();
  private static final int EXIT_INVALID_CONFIG = 15;

  @TempDir
  Path tmp;

  @Test
  @DisplayName("bad values through the fat jar: exit 15, one line naming the key and the fix, no stack trace, no secret")
  void badValuesThroughTheJar() throws Exception {
    String committed = Files.readString(Path.of("conf/app.json"));
    Path secretInFile = tmp.resolve("secret.json");
    Files.writeString(secretInFile, committed.replace("\"linger_ms\": 2,", "\"linger_ms\": 2, \"api_token\": \"" + CANARY + "\","));
    Path truncated = tmp.resolve("truncated.json");
    Files.writeString(truncated, committed.substring(0, committed.length() / 2));
    Path nullValue = tmp.resolve("null.json");
    Files.writeString(nullValue, committed.replace("\"watchdog_ms\": 150000", "\"watchdog_ms\": null"));

    Map<String, Map<String, String>> cases = new LinkedHashMap<>();
    cases.put("KAFKA_TOPIC", Map.of("KAFKA_TOPIC", "bad topic\nInjected: a forged log line"));
    cases.put("HTTP_PORT", Map.of("HTTP_PORT", "9".repeat(100_000)));
    cases.put("ADMIN_TOKEN", Map.of("ADMIN_TOKEN", "short" + CANARY.substring(0, 8)));
    cases.put("FINNHUB_TOKEN", Map.of("FINNHUB_TOKEN", CANARY + ",,", "KAFKA_PASSWORD", CANARY + "pw"));
    cases.put("FINNHUB_SYMBOLS", Map.of("FINNHUB_SYMBOLS", "[\"AAPL\",", "FINNHUB_TOKEN", CANARY));
    cases.put("common.kafka.api_token", Map.of("APP_CONFIG", secretInFile.toString()));
    cases.put(truncated.toString(), Map.of("APP_CONFIG", truncated.toString()));
    cases.put("common.finnhub.watchdog_ms", Map.of("APP_CONFIG", nullValue.toString()));
    cases.put("APP_ENV", Map.of("APP_ENV", "\u001b[2Jprod; rm -rf /"));

    Map<String, String> results = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
      Path log = tmp.resolve("run-" + results.size() + ".log");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
        JAR.toString()).directory(new File(".")).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("FINNHUB_") || k.startsWith("KAFKA_") || k.startsWith("APP_")
        || k.equals("HTTP_PORT") || k.equals("ADMIN_TOKEN"));
      pb.environment().put("HTTP_PORT", "0");
      pb.environment().putAll(c.getValue());
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        failures.add(c.getKey() + ": still running after 60 s, the bad value was accepted");
        continue;
      }
      String output = Files.readString(log);
      List<String> lines = output.lines().filter(l -> l.contains("Invalid configuration")).toList();
      String line = lines.isEmpty() ? "" : lines.get(0);
      String said = line.substring(Math.max(0, line.indexOf("not starting: ") + "not starting: ".length()));
      results.put(c.getKey().startsWith("/") ? "truncated file" : c.getKey(), "exit " + p.exitValue() + ": "
        + (said.length() > 90 ? said.substring(0, 90) + "…" : said));
      if (p.exitValue() != EXIT_INVALID_CONFIG) {
        failures.add(c.getKey() + ": exit " + p.exitValue());
      }
      if (lines.size() != 1 || !line.contains("Invalid configuration, not starting: " + c.getKey() + ": ") || !line.contains(". Fix: ")) {
        failures.add(c.getKey() + ": not one line naming the key and a fix: " + lines);
      }
      if (output.contains(CANARY) || output.contains("\tat ") || output.contains("\u001b[2J") || output.lines().anyMatch(l -> l.startsWith("Injected"))
        || line.length() > 2_500) {
        failures.add(c.getKey() + ": secret, stack trace, forged line or flood in the output:\n" + output);
      }
    }
    new ScenarioResult("Bad input", "bad-input-config-fat-jar",
      cases.size() + " fuzzed settings through the fat jar (newline injection, 100 KB value, short and stray-comma secrets, broken JSON "
        + "array, secret-like key in the file, truncated file, null value, a terminal escape in APP_ENV)",
      "exit 15 with one line naming the key and the fix; no stack trace, no forged line or terminal escape, no secret",
      -1, -1, -1, -1, -1, -1, -1, -1, cases.size(), failures.isEmpty(), "per case, the exit code and the start of the line: " + results).write();
    assertThat(failures).isEmpty();
  }
}
