package dev.finnhubstream.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Parses Prometheus text exposition with the Prometheus project's own Python parser
 * ({@code prometheus_client.parser}, Debian package {@code python3-prometheus-client}, installed by
 * {@code ci/install-test-tools.sh}), so "it parses" means what a Prometheus-ecosystem reader accepts, not what
 * we think the format is. The parser rejects malformed lines with an exception, which fails the test.
 */
public final class PrometheusText {

  /** One sample: metric name with suffix ({@code _total}, {@code _bucket}...), labels, value. */
  public record Sample(String name, Map<String, String> labels, double value) {
  }

  /** One metric family: base name, type, samples. */
  public record Family(String name, String type, List<Sample> samples) {
  }

  private static final String PYTHON = "/usr/bin/python3";
  private static final String SCRIPT = String.join("\n",
    "import json, math, sys",
    "from prometheus_client.parser import text_string_to_metric_families",
    "out = []",
    "for f in text_string_to_metric_families(sys.stdin.read()):",
    "    out.append({'name': f.name, 'type': f.type, 'samples': [",
    "        {'name': s.name, 'labels': s.labels, 'value': None if math.isnan(s.value) else s.value} for s in f.samples]})",
    "print(json.dumps(out))");

  private PrometheusText() {
  }

  public static List<Family> parse(String text) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(PYTHON, "-c", SCRIPT).redirectErrorStream(false).start();
    } catch (IOException e) {
      throw new AssertionError("cannot run " + PYTHON + " (install: ci/install-test-tools.sh)", e);
    }
    try (var in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      if (err.contains("No module named 'prometheus_client'")) {
        throw new AssertionError("python3-prometheus-client is missing: run ci/install-test-tools.sh (apt-get install python3-prometheus-client)");
      }
      throw new AssertionError("the Prometheus parser rejected the text: " + err);
    }
    List<Family> families = new ArrayList<>();
    for (Object o : new JsonArray(out)) {
      JsonObject f = (JsonObject) o;
      List<Sample> samples = new ArrayList<>();
      for (Object so : f.getJsonArray("samples")) {
        JsonObject s = (JsonObject) so;
        Map<String, String> labels = new java.util.TreeMap<>();
        s.getJsonObject("labels").forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        samples.add(new Sample(s.getString("name"), labels, s.getValue("value") == null ? Double.NaN : s.getDouble("value")));
      }
      families.add(new Family(f.getString("name"), f.getString("type"), samples));
    }
    return families;
  }

  /** The samples named {@code sampleName} (e.g. {@code finnhub_trades_received_total}) across families. */
  public static List<Sample> samples(List<Family> families, String sampleName) {
    return families.stream().flatMap(f -> f.samples().stream()).filter(s -> s.name().equals(sampleName)).toList();
  }
}
