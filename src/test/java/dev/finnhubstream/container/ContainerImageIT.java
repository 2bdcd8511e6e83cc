package dev.finnhubstream.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.KafkaTestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's contract, without a Docker engine (none runs on the build machines): the Dockerfile is parsed,
 * the final stage's files are laid out as the image would hold them (its COPY lines, the build stage's
 * output being this repository's fat jar), and its ENTRYPOINT runs there with its ENV, against the real
 * broker and the emulator; then its HEALTHCHECK command runs against the running service. What this cannot
 * show: the base images themselves (that they have java 17, bash, timeout), which only a real build can.
 */
class ContainerImageIT {

  private static final Path REPO = Path.of("").toAbsolutePath();
  private static final Path JAR = REPO.resolve("target/finnhub-stream-fat.jar");
  private static final String TOKEN = "image-secret-" + System.nanoTime();
  private static Dockerfile dockerfile;
  private static Dockerfile.Stage image;

  @TempDir
  Path tmp;

  private Vertx vertx;
  private final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void parse() throws IOException {
    dockerfile = Dockerfile.parse(REPO.resolve("Dockerfile"));
    image = dockerfile.finalStage();
  }

  @BeforeEach
  void setUp() {
    assertThat(JAR).as("fat jar (built by mvn package)").exists();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    vertx.close().await();
  }

  @Test
  @DisplayName("Dockerfile: Maven build on JDK 17, JRE 17 runtime, non-root, the status port, container-aware heap, no APP_ENV baked in")
  void shape() throws IOException {
    assertThat(dockerfile.stages()).hasSize(2);
    Dockerfile.Stage build = dockerfile.stage("build");
    assertThat(build.image()).startsWith("maven:").contains("temurin-17");
    assertThat(build.all("RUN")).anyMatch(r -> r.arguments().matches(".*\\bmvn\\b.*\\bpackage\\b.*"));
    assertThat(image.image()).matches("eclipse-temurin:17[.0-9_]*-jre.*");
    String user = image.last("USER").orElseThrow().arguments();
    assertThat(user).as("numeric non-root user").matches("[1-9][0-9]*:[1-9][0-9]*");
    int port = new JsonObject(Files.readString(REPO.resolve("conf/app.json"))).getJsonObject("common").getJsonObject("http").getInteger("port");
    assertThat(image.last("EXPOSE").orElseThrow().arguments()).isEqualTo(Integer.toString(port));
    String check = String.join(" ", image.healthCheck().orElseThrow().command());
    assertThat(check).contains("/health").contains("${HTTP_PORT:-" + port + "}");
    assertThat(image.env()).doesNotContainKeys("APP_ENV", "FINNHUB_TOKEN", "KAFKA_PASSWORD", "LOCKBOX_SECRETS");
    assertThat(image.env().get("JAVA_OPTS")).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError");
    assertThat(image.healthCheck().orElseThrow().options()).containsKeys("interval", "timeout", "start-period");
  }

  @Test
  @DisplayName(".dockerignore lets in exactly what the COPY lines need, never target/, .work/ or .git")
  void dockerignore() throws IOException {
    List<String> patterns = Files.readAllLines(REPO.resolve(".dockerignore")).stream()
      .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    List<String> needed = new ArrayList<>();
    for (Dockerfile.Stage stage : dockerfile.stages()) {
      stage.copies().stream().filter(c -> !c.flags().containsKey("from")).forEach(c -> needed.addAll(c.sources()));
    }
    assertThat(needed).contains("pom.xml", "src", "conf/app.json", "docker/entrypoint.sh");
    for (String path : needed) {
      assertThat(included(patterns, path)).as(path).isTrue();
      assertThat(REPO.resolve(path)).exists();
    }
    assertThat(included(patterns, "src/main/java/dev/finnhubstream/MainVerticle.java")).isTrue();
    for (String path : List.of("target/finnhub-stream-fat.jar", ".work/kafka/x", ".git/HEAD", "terraform/prod.tfvars", "ci/terraform/node_modules/x", "conf/other.json")) {
      assertThat(included(patterns, path)).as(path).isFalse();
    }
  }

  @Test
  @DisplayName("the image carries the service only: no Finnhub emulator, no command-line tool, no ClickHouse schema")
  void carriesTheServiceOnly() throws IOException {
    List<String> entries = new ArrayList<>();
    try (Stream<Path> files = Files.walk(layOut())) {
      for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
          zip.stream().map(ZipEntry::getName).forEach(entries::add);
        }
      }
    }
    assertThat(entries).contains("dev/finnhubstream/MainVerticle.class");
    // They live in target/finnhub-stream-tools.jar (pom.xml), which stays in the build stage.
    assertThat(entries).noneMatch(e -> e.startsWith("dev/finnhubstream/emulator/") || e.startsWith("dev/finnhubstream/clickhouse/")
      || e.startsWith("dev/finnhubstream/ConfigReport") || e.startsWith("dev/finnhubstream/ToolConsole") || e.startsWith("clickhouse/"));
  }

  @Test
  @DisplayName("the entrypoint with the image's ENV runs the jar: trades reach Kafka, HEALTHCHECK passes, then fails once the service stopped")
  void runsAndHealthChecks() throws Exception {
    KafkaTestSupport.requireBroker();
    int trades = 2_000;
    FinnhubEmulator emulator = emulator(trades);
    String topic = KafkaTestSupport.uniqueTopic("it_image");
    int httpPort = freePort();
    Path root = layOut();
    Path log = tmp.resolve("service.log");
    Process service = entrypoint(root, log, Map.of(
      "APP_ENV", "local",
      "FINNHUB_URL", "ws://127.0.0.1:" + emulator.actualPort(),
      "FINNHUB_TOKEN", TOKEN,
      "FINNHUB_SYMBOLS", "AAPL,IC MARKETS:1",
      "KAFKA_BOOTSTRAP_SERVERS", KafkaTestSupport.bootstrap(),
      "KAFKA_TOPIC", topic,
      "HTTP_PORT", Integer.toString(httpPort)));

    List<ConsumerRecord<String, String>> records = KafkaTestSupport.readAll(topic, trades, Duration.ofSeconds(90), Duration.ofSeconds(3));
    assertThat(records).hasSize(trades);
    // The entrypoint became the JVM (exec), with the image's memory flags.
    assertThat(service.info().command().orElse("")).endsWith("java");
    assertThat(String.join(" ", service.info().arguments().orElse(new String[0])))
      .contains("-XX:MaxRAMPercentage=").contains("-jar finnhub-stream.jar");

    Map<String, String> containerEnv = Map.of("HTTP_PORT", Integer.toString(httpPort));
    await().atMost(Duration.ofSeconds(30)).until(() -> healthCheck(containerEnv) == 0);

    service.destroy(); // SIGTERM, as docker stop sends it to PID 1
    assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(log)).contains("finnhub-stream started").contains("Kafka writer stopped").doesNotContain(TOKEN);
    assertThat(healthCheck(containerEnv)).as("HEALTHCHECK of a stopped service").isNotZero();
  }

  @Test
  @DisplayName("instance-group style secrets: the entrypoint's service reads FINNHUB_TOKEN from Lockbox; with RUN_SECONDS it stops itself cleanly, exit 0")
  void lockboxSecretsAndRunLimit() throws Exception {
    KafkaTestSupport.requireBroker();
    int trades = 1_000;
    FinnhubEmulator emulator = emulator(trades);
    HttpServer cloud = fakeLockbox();
    String topic = KafkaTestSupport.uniqueTopic("it_image_lockbox");
    Path log = tmp.resolve("lockbox.log");
    Process service = entrypoint(layOut(), log, Map.of(
      "APP_ENV", "local",
      "LOCKBOX_SECRETS", "FINNHUB_TOKEN=e6qtestsecret0000001@e6qtestversion000001",
      "YC_METADATA_URL", "http://127.0.0.1:" + cloud.actualPort(),
      "LOCKBOX_PAYLOAD_URL", "http://127.0.0.1:" + cloud.actualPort(),
      "RUN_SECONDS", "45",
      "FINNHUB_URL", "ws://127.0.0.1:" + emulator.actualPort(),
      "KAFKA_BOOTSTRAP_SERVERS", KafkaTestSupport.bootstrap(),
      "KAFKA_TOPIC", topic,
      "HTTP_PORT", "0"));

    // The emulator accepts only TOKEN, which only the fake Lockbox knows.
    assertThat(KafkaTestSupport.readAll(topic, trades, Duration.ofSeconds(90), Duration.ofSeconds(3))).hasSize(trades);
    assertThat(service.waitFor(120, TimeUnit.SECONDS)).as("stops by itself after RUN_SECONDS").isTrue();
    String output = Files.readString(log);
    assertThat(service.exitValue()).as(output).isZero();
    assertThat(output).contains("Read FINNHUB_TOKEN from Lockbox").contains("Kafka writer stopped")
      .contains("run limit RUN_SECONDS=45 reached").doesNotContain(TOKEN);
  }

  @Test
  @DisplayName("without APP_ENV, or with a bad RUN_SECONDS, the entrypoint refuses to start: exit 15, one line naming the setting")
  void refusesWithoutAppEnv() throws Exception {
    Path root = layOut();
    Map<Map<String, String>, String> cases = Map.of(
      Map.of(), "Invalid configuration, not starting: APP_ENV: not set. Fix: ",
      Map.of("APP_ENV", "dev", "RUN_SECONDS", "1h"), "Invalid configuration, not starting: RUN_SECONDS: \"1h\" is not a positive number of seconds. Fix: ");
    for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
      Path log = tmp.resolve("refused-" + c.getKey().size() + ".log");
      Process p = entrypoint(root, log, c.getKey());
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(15);
      assertThat(Files.readString(log).strip()).startsWith(c.getValue()).doesNotContain("\n");
    }
  }

  /**
   * The final stage's files under {@code tmp/rootfs}: each COPY of the final stage, with sources from the
   * build context (this repository) or from the build stage, whose WORKDIR holds this repository's pom.xml
   * and src and, after {@code mvn package}, target/ (checked, so the mapping is what the build does).
   */
  private Path layOut() throws IOException {
    Path rootfs = tmp.resolve("rootfs");
    if (Files.exists(rootfs)) {
      return rootfs;
    }
    Dockerfile.Stage build = dockerfile.stage("build");
    String buildDir = build.workdir();
    assertThat(build.copies()).extracting(Dockerfile.Copy::sources).contains(List.of("pom.xml"), List.of("src"));
    String workdir = image.workdir();
    for (Dockerfile.Copy copy : image.copies()) {
      assertThat(copy.sources()).hasSize(1);
      String source = copy.sources().get(0);
      Path from;
      if (copy.flags().containsKey("from")) {
        assertThat(copy.flags().get("from")).isEqualTo("build");
        assertThat(source).startsWith(buildDir + "/");
        from = REPO.resolve(source.substring(buildDir.length() + 1));
      } else {
        from = REPO.resolve(source);
      }
      String destination = copy.destination().startsWith("/") ? copy.destination() : workdir + "/" + copy.destination();
      Path to = rootfs.resolve(destination.substring(1));
      assertThat(from).as("COPY source %s", source).isRegularFile();
      Files.createDirectories(to.getParent());
      Files.copy(from, to);
      if (copy.flags().containsKey("chmod")) {
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(rwx(copy.flags().get("chmod"))));
      }
    }
    return rootfs;
  }

  /** Runs ENTRYPOINT + CMD in the laid-out WORKDIR with the image's ENV plus {@code env}, and nothing else. */
  private Process entrypoint(Path rootfs, Path log, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(image.last("ENTRYPOINT").orElseThrow().execForm());
    image.last("CMD").ifPresent(cmd -> command.addAll(cmd.execForm()));
    command.set(0, inImage(rootfs, command.get(0)));
    ProcessBuilder pb = new ProcessBuilder(command)
      .directory(inImagePath(rootfs, image.workdir()).toFile())
      .redirectErrorStream(true)
      .redirectOutput(log.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", javaHome() + "/bin:/usr/local/bin:/usr/bin:/bin");
    pb.environment().putAll(image.env());
    pb.environment().putAll(env);
    Process process = pb.start();
    processes.add(process);
    return process;
  }

  /** Runs the HEALTHCHECK command as Docker would inside the container: with the container's environment. */
  private int healthCheck(Map<String, String> containerEnv) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(image.healthCheck().orElseThrow().command()).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
    pb.environment().putAll(image.env());
    pb.environment().putAll(containerEnv);
    Process p = pb.start();
    String timeout = image.healthCheck().orElseThrow().options().get("timeout");
    assertThat(p.waitFor(Long.parseLong(timeout.replace("s", "")) + 10, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  private FinnhubEmulator emulator(int trades) {
    FinnhubEmulator emulator = new FinnhubEmulator(EmulatorOptions.defaults()
      .withAcceptedTokens(Set.of(TOKEN)).withTradesPerSecond(2_000).withTotalTrades(trades));
    vertx.deployVerticle(emulator).await();
    return emulator;
  }

  /** The metadata service and the Lockbox payload API, holding TOKEN in the secret version the test names. */
  private HttpServer fakeLockbox() {
    return vertx.createHttpServer().requestHandler(request -> {
      if (request.path().endsWith("/service-accounts/default/token") && "Google".equals(request.getHeader("Metadata-Flavor"))) {
        request.response().end(new JsonObject().put("access_token", "t1.test-iam").put("expires_in", 3600).encode());
      } else if (request.path().equals("/lockbox/v1/secrets/e6qtestsecret0000001/payload")
        && "e6qtestversion000001".equals(request.getParam("versionId"))
        && "Bearer t1.test-iam".equals(request.getHeader("Authorization"))) {
        request.response().end(new JsonObject().put("entries", new JsonArray()
          .add(new JsonObject().put("key", "FINNHUB_TOKEN").put("textValue", TOKEN))).encode());
      } else {
        request.response().setStatusCode(403).end();
      }
    }).listen(0, "127.0.0.1").await();
  }

  private static String inImage(Path rootfs, String path) {
    return path.startsWith("/") && !path.startsWith("/bin/") && !path.startsWith("/usr/") ? inImagePath(rootfs, path).toString() : path;
  }

  private static Path inImagePath(Path rootfs, String path) {
    return rootfs.resolve(path.substring(1));
  }

  /**
   * Docker's .dockerignore rule: a path is excluded when the last pattern matching it, or one of its parent
   * directories, is not a "!" exception. Patterns here are plain names and "*" (no "**").
   */
  static boolean included(List<String> patterns, String path) {
    boolean included = true;
    for (String pattern : patterns) {
      boolean exception = pattern.startsWith("!");
      String glob = exception ? pattern.substring(1) : pattern;
      Pattern regex = Pattern.compile(glob.replace(".", "\\.").replace("*", "[^/]*").replace("?", "[^/]"));
      String candidate = path;
      boolean matches = false;
      while (true) {
        if (regex.matcher(candidate).matches()) {
          matches = true;
          break;
        }
        int slash = candidate.lastIndexOf('/');
        if (slash < 0) {
          break;
        }
        candidate = candidate.substring(0, slash);
      }
      if (matches) {
        included = exception;
      }
    }
    return included;
  }

  private static String rwx(String octal) {
    StringBuilder s = new StringBuilder();
    for (char c : octal.substring(octal.length() - 3).toCharArray()) {
      int d = c - '0';
      s.append((d & 4) != 0 ? 'r' : '-').append((d & 2) != 0 ? 'w' : '-').append((d & 1) != 0 ? 'x' : '-');
    }
    return s.toString();
  }

  private static String javaHome() {
    return System.getProperty("java.home");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
