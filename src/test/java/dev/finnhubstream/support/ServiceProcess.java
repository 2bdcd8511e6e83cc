package dev.finnhubstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fat jar run as users run it ({@code java -Xmx256m -jar}), configured only through the environment, with
 * its output in a log file and its status endpoint on a free port.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Path JAR = Path.of("target", "finnhub-stream-fat.jar");

  private final Process process;
  private final Path log;
  private final int httpPort;
  private final long startedAtMs;
  private final HttpClient http = HttpClient.newHttpClient();

  private ServiceProcess(Process process, Path log, int httpPort, long startedAtMs) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
    this.startedAtMs = startedAtMs;
  }

  /** Starts the jar with exactly {@code env} (plus HTTP_PORT) of the service's variables and waits for /status. */
  public static ServiceProcess start(Path log, Map<String, String> env) throws IOException, InterruptedException {
    return start(log, env, List.of());
  }

  /** The same, with extra JVM options (the benchmark adds a GC log, or a profiler). */
  public static ServiceProcess start(Path log, Map<String, String> env, List<String> jvmOptions) throws IOException, InterruptedException {
    assertThat(JAR).as("fat jar (built by mvn package)").exists();
    int port = freePort();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", JAR.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).directory(new File(".")).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("FINNHUB_") || k.startsWith("KAFKA_") || k.startsWith("APP_") || k.equals("HTTP_PORT"));
    pb.environment().putAll(env);
    pb.environment().put("HTTP_PORT", Integer.toString(port));
    long startedAtMs = System.currentTimeMillis();
    ServiceProcess service = new ServiceProcess(pb.start(), log, port, startedAtMs);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      assertThat(service.process.isAlive()).as("service alive during start-up; log:%n%s", service.log()).isTrue();
      try {
        if (service.status() != null) {
          return service;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      // Short: the start-up benchmark times the start from here, and a test waits no longer than it must.
      Thread.sleep(20);
    }
    service.close();
    throw new AssertionError("the service did not come up within 90 s; log:\n" + service.log());
  }

  /** GET /status, or null while it does not answer 200. */
  public JsonObject status() throws IOException, InterruptedException {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/status"))
      .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return res.statusCode() == 200 ? new JsonObject(res.body()) : null;
  }

  /** The {@code kafka} part of /status; fails the test when the endpoint does not answer. */
  public JsonObject sinkStatus() {
    try {
      JsonObject status = status();
      assertThat(status).as("/status").isNotNull();
      return status.getJsonObject("kafka");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** SIGTERM, as an orchestrator stops a container; returns the exit code. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("exits within %s after SIGTERM; log:%n%s", timeout, log())
      .isTrue();
    return process.exitValue();
  }

  /** Wall-clock time (epoch ms) just before the {@code java} process was launched: where start-up times count from. */
  public long startedAtMs() {
    return startedAtMs;
  }

  /** GET {@code path}'s status code, or −1 while nothing answers. */
  public int httpStatus(String path) throws InterruptedException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException notListening) {
      return -1;
    }
  }

  public long pid() {
    return process.pid();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first group of {@code regex} in the log; fails when absent. */
  public String logMatch(String regex) {
    Matcher m = Pattern.compile(regex).matcher(log());
    assertThat(m.find()).as("log contains /%s/; log:%n%s", regex, log()).isTrue();
    return m.group(1);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
