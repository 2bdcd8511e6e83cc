package dev.finnhubstream.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.Ports;
import dev.finnhubstream.emulator.EmulatedTrade;
import dev.finnhubstream.emulator.EmulatorOptions;
import dev.finnhubstream.emulator.FinnhubEmulator;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.LocalBroker;
import dev.finnhubstream.support.ServiceConfigs;
import dev.finnhubstream.support.TestServices;
import dev.finnhubstream.support.TradeChecks;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * The service's image, for real: the project's {@code Dockerfile} built with the {@code docker} command a user runs
 * (both stages, Maven inside), then containers of it against the tests' broker (a container on the same network)
 * and the Finnhub emulator (in this JVM, reached through {@code host.docker.internal}). Needs a Docker engine; where
 * none answers the test is skipped (or fails under {@code -Dit.services.required=true}, as in CI).
 *
 * <p>Where no registry and no Internet are reachable ({@code -Dit.image.offline=true}, set by
 * {@code ci/docker-test.sh}), the Yandex Cloud CA the Dockerfile downloads is replaced by a CA this test makes and
 * serves on the loopback (its {@code YANDEX_CA_URL} build argument), and the base images are local stand-ins of the
 * same names ({@code ci/docker.sh images}).
 */
class ServiceImageIT {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceImageIT.class);
  private static final Path REPO = Path.of("").toAbsolutePath();
  private static final String IMAGE = "finnhub-stream:it";
  private static final String TOKEN = "image-secret-" + System.nanoTime();
  private static final String SYMBOLS = "AAPL,MSFT,BINANCE:BTCUSDT,IC MARKETS:1";
  private static final int HTTP_PORT = 8080;
  private static final Pattern STOPPED =
    Pattern.compile("Kafka writer stopped: received (\\d+) trades.*acked (\\d+) trades.*disk buffer holds (\\d+) records");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Vertx vertx;
  private static Path scratch;
  private static String testCaPem;
  private static String bufferDir;

  @TempDir
  Path tmp;

  private final List<GenericContainer<?>> containers = new ArrayList<>();
  private FinnhubEmulator emulator;

  @BeforeAll
  static void buildImage() throws Exception {
    TestServices.requireDocker("The image test");
    vertx = Vertx.vertx();
    scratch = Files.createTempDirectory("service-image-it");
    // The outage buffer's directory in the deployed environments, which the image must declare as a volume.
    bufferDir = new JsonObject(Files.readString(REPO.resolve("conf/app.json"))).getJsonObject("common").getJsonObject("kafka")
      .getString("disk_buffer_dir");
    List<String> command = new ArrayList<>(List.of("docker", "build", "-t", IMAGE));
    if (Boolean.getBoolean("it.image.offline")) {
      testCaPem = makeCa();
      HttpServer ca = vertx.createHttpServer().requestHandler(r -> r.response().end(testCaPem)).listen(0, "127.0.0.1").await();
      command.addAll(List.of("--build-arg", "YANDEX_CA_URL=http://127.0.0.1:" + ca.actualPort() + "/ca.pem"));
    }
    command.add(".");
    Path log = REPO.resolve("target/service-image-build.log");
    long t0 = System.nanoTime();
    Process build = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(build.waitFor(20, TimeUnit.MINUTES)).as("docker build within 20 minutes").isTrue();
    assertThat(build.exitValue()).as("docker build; its output:%n%s", Files.readString(log)).isZero();
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    InspectImageResponse image = docker().inspectImageCmd(IMAGE).exec();
    InspectImageResponse base = docker().inspectImageCmd(dockerfileArg("RUNTIME_IMAGE")).exec();
    // What the image weighs, and what this project adds to the JRE image it starts from.
    LOG.info("image {} built in {} s: {} MB, of which {} MB on top of {}", IMAGE, seconds, image.getSize() / 1_000_000,
      (image.getSize() - base.getSize()) / 1_000_000, dockerfileArg("RUNTIME_IMAGE"));
  }

  @AfterAll
  static void tearDownAll() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @AfterEach
  void tearDown() {
    containers.forEach(GenericContainer::stop);
    if (emulator != null) {
      vertx.undeploy(emulator.deploymentID()).await();
    }
    LocalBroker.start(); // a test that killed the broker leaves it running for the next
  }

  @Test
  @DisplayName("the image: non-root user, the status port, the buffer volume, a HEALTHCHECK on /health, no secret in its config, the Yandex CA trusted")
  void configuration() throws Exception {
    var config = docker().inspectImageCmd(IMAGE).exec().getConfig();
    assertThat(config.getUser()).isEqualTo("10001:10001");
    assertThat(config.getExposedPorts()).extracting(ExposedPort::getPort).containsExactly(HTTP_PORT);
    assertThat(config.getVolumes()).containsOnlyKeys(bufferDir);
    assertThat(String.join(" ", config.getHealthcheck().getTest())).contains("/health").contains("${HTTP_PORT:-" + HTTP_PORT + "}");
    assertThat(env(config.getEnv())).doesNotContainKeys("APP_ENV", "FINNHUB_TOKEN", "KAFKA_PASSWORD", "LOCKBOX_SECRETS")
      .hasEntrySatisfying("JAVA_OPTS", o -> assertThat(o).contains("-Xmx256m").contains("-XX:+ExitOnOutOfMemoryError"));
    // The Managed Kafka CA is in the JRE's trust store (in offline builds: the test's own CA under that alias).
    String trusted = run("--entrypoint", "keytool", IMAGE, "-list", "-rfc", "-cacerts", "-storepass", "changeit", "-alias", "yandex-cloud-ca");
    assertThat(trusted).contains("BEGIN CERTIFICATE");
    if (testCaPem != null) {
      assertThat(trusted.replaceAll("\\s", "")).contains(testCaPem.replaceAll("\\s", "")
        .replace("-----BEGINCERTIFICATE-----", "").replace("-----ENDCERTIFICATE-----", ""));
    }
  }

  @Test
  @DisplayName("the image holds the service only: /app is the jar, the config and the entrypoint; no emulator, tool or test class; no secret file")
  void contents() throws Exception {
    String files = run("--entrypoint", "find", IMAGE, "/app", "-type", "f");
    assertThat(files.lines().sorted().toList()).containsExactly("/app/conf/app.json", "/app/entrypoint.sh", "/app/finnhub-stream.jar");
    // As root: the service user cannot read every directory.
    String secretFiles = run("--user", "0", "--entrypoint", "find", IMAGE, "/", "-xdev", "(", "-name", "*.tfvars", "-o", "-name", "*.tfstate",
      "-o", "-name", ".env", "-o", "-name", ".git", "-o", "-name", "*.p12", "-o", "-name", "*.jks", ")", "-not", "-path", "/proc/*");
    // The JRE's own trust store is a .p12/.jks under /etc/ssl/certs/java or the JDK: public certificates only.
    assertThat(secretFiles.lines().filter(f -> !f.contains("/etc/ssl/certs/java/") && !f.contains("/lib/security/")).toList()).isEmpty();
    Path jar = tmp.resolve("service.jar");
    Process cat = new ProcessBuilder("docker", "run", "--rm", "--entrypoint", "cat", IMAGE, "/app/finnhub-stream.jar")
      .redirectOutput(jar.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(cat.waitFor(2, TimeUnit.MINUTES) && cat.exitValue() == 0).isTrue();
    List<String> entries = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      zip.stream().map(ZipEntry::getName).forEach(entries::add);
    }
    assertThat(entries).contains("dev/finnhubstream/MainVerticle.class");
    // The emulator and the tools live in target/finnhub-stream-tools.jar (pom.xml), which stays in the build stage.
    assertThat(entries).noneMatch(e -> e.startsWith("dev/finnhubstream/emulator/") || e.startsWith("dev/finnhubstream/clickhouse/")
      || e.startsWith("dev/finnhubstream/support/") || e.matches("dev/finnhubstream/.*(Test|IT)(\\$.*)?\\.class")
      || e.startsWith("org/testcontainers/") || e.startsWith("org/junit/") || e.startsWith("clickhouse/"));
    String history = String.join("\n", docker().inspectImageCmd(IMAGE).exec().getConfig().getEnv());
    assertThat(history).doesNotContain("TOKEN=").doesNotContain("PASSWORD=");
  }

  @Test
  @DisplayName("a container: the JVM runs as uid 10001, /health answers, Docker reports healthy, trades reach Kafka; docker stop drains and exits 0 with nothing received lost")
  void runsAndDrainsOnDockerStop() throws Exception {
    startEmulator();
    String topic = KafkaTestSupport.uniqueTopic("it_image");
    GenericContainer<?> service = service(topic, Map.of());
    service.start();

    // PID 1 is the JVM (the entrypoint execs it), as the non-root user.
    String status1 = service.execInContainer("cat", "/proc/1/status").getStdout();
    assertThat(status1).containsPattern("Uid:\\s+10001\\s");
    assertThat(service.execInContainer("cat", "/proc/1/cmdline").getStdout()).startsWith("java");
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> sink(service).getLong("acked") >= 5_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> "healthy".equals(health(service)));

    InspectContainerResponse.ContainerState state = dockerStop(service);
    assertThat(state.getExitCodeLong()).as("exit code after docker stop; log:%n%s", service.getLogs()).isZero();
    Matcher stopped = STOPPED.matcher(service.getLogs());
    assertThat(stopped.find()).as("the writer's last line; log:%n%s", service.getLogs()).isTrue();
    int received = Integer.parseInt(stopped.group(1));
    assertThat(stopped.group(2)).as("acked = received").isEqualTo(stopped.group(1));
    assertThat(stopped.group(3)).as("nothing left on disk").isEqualTo("0");
    assertThat(service.getLogs()).doesNotContain(TOKEN);
    List<ConsumerRecord<String, String>> records = KafkaTestSupport.readAll(topic, received, Duration.ofSeconds(60), Duration.ofSeconds(3));
    // TCP keeps order and the service reads frames in order: what it received is a prefix of what was sent.
    TradeChecks.assertExactly(records, emulator.sentTrades().subList(0, received));
  }

  @Test
  @DisplayName("the outage buffer lives on the image's volume: trades buffered while the broker is down survive docker stop and are delivered after docker start")
  void outageBufferSurvivesRestart() throws Exception {
    startEmulator();
    String topic = KafkaTestSupport.uniqueTopic("it_image_outage");
    // Outage mode after 2 s without the broker, as GracefulShutdownIT, so the test spends its time on the restart.
    JsonObject file = ServiceConfigs.edited(Map.of("outage_after_ms", 2_000));
    GenericContainer<?> service = service(topic, Map.of("APP_CONFIG", "/tmp/app.json"))
      .withCopyToContainer(Transferable.of(file.encodePrettily(), 0644), "/tmp/app.json");
    service.start();
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> emulator.tradesSent() >= 5_000 && sink(service).getLong("acked") > 0);

    LocalBroker.kill9();
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "OUTAGE".equals(sink(service).getString("mode"))
      && sink(service).getJsonObject("disk_buffer").getLong("records") > 1_000);
    assertThat(dockerStop(service).getExitCodeLong()).as("exit code; log:%n%s", service.getLogs()).isZero();
    String firstRun = service.getLogs();
    Matcher stopped = STOPPED.matcher(firstRun);
    assertThat(stopped.find()).isTrue();
    int received = Integer.parseInt(stopped.group(1));
    int acked = Integer.parseInt(stopped.group(2));
    int onDisk = Integer.parseInt(stopped.group(3));
    assertThat(onDisk).as("trades left on disk").isPositive().isGreaterThanOrEqualTo(received - acked);
    Matcher runId = Pattern.compile("run id (\\w+)").matcher(firstRun);
    assertThat(runId.find()).isTrue();
    vertx.undeploy(emulator.deploymentID()).await();
    emulator = null;
    // They are on the volume Docker made for the image's VOLUME, not in the container's own layer.
    var mounts = docker().inspectContainerCmd(service.getContainerId()).exec().getMounts();
    assertThat(mounts).anySatisfy(m -> {
      assertThat(m.getDestination().getPath()).isEqualTo(bufferDir);
      assertThat(m.getName()).isNotBlank(); // a named or anonymous volume, not a bind mount
    });

    LocalBroker.start();
    docker().startContainerCmd(service.getContainerId()).exec();
    // ignoreExceptions: docker-proxy accepts on the new host port before the JVM inside listens.
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
      JsonObject sink = sink(service);
      return sink != null && sink.getJsonObject("disk_buffer").getLong("records") == 0 && sink.getLong("in_flight_records") == 0
        && sink.getLong("acked") >= received - acked;
    });
    assertThat(dockerStop(service).getExitCodeLong()).isZero();

    List<ConsumerRecord<String, String>> all = KafkaTestSupport.readAll(topic, received, Duration.ofSeconds(60), Duration.ofSeconds(3));
    List<ConsumerRecord<String, String>> first = all.stream()
      .filter(r -> new JsonObject(r.value()).getString("ingest_id").startsWith(runId.group(1) + "-")).toList();
    // A record the producer held when the broker died may have reached it just before: downstream collapses those on
    // ingest_id. None may be missing.
    List<ConsumerRecord<String, String>> distinct = TradeChecks.firstOccurrences(first);
    assertThat(distinct).hasSize(received);
  }

  @Test
  @DisplayName("without APP_ENV, or with a bad RUN_SECONDS, the container refuses to start: exit 15, one line naming the setting")
  void refusesWithoutAppEnv() throws Exception {
    Map<List<String>, String> cases = Map.of(
      List.of(), "Invalid configuration, not starting: APP_ENV: not set. Fix: ",
      List.of("-e", "APP_ENV=dev", "-e", "RUN_SECONDS=1h"),
      "Invalid configuration, not starting: RUN_SECONDS: \"1h\" is not a positive number of seconds. Fix: ");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      List<String> command = new ArrayList<>(List.of("docker", "run", "--rm"));
      command.addAll(c.getKey());
      command.add(IMAGE);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(output).isEqualTo(15);
      assertThat(output.strip()).startsWith(c.getValue()).doesNotContain("\n");
    }
  }

  @Test
  @DisplayName("instance-group style secrets: the container reads FINNHUB_TOKEN from Lockbox; with RUN_SECONDS it stops itself cleanly, exit 0")
  void lockboxSecretsAndRunLimit() throws Exception {
    startEmulator();
    HttpServer cloud = fakeLockbox();
    String topic = KafkaTestSupport.uniqueTopic("it_image_lockbox");
    Map<String, String> env = new HashMap<>(Map.of(
      "LOCKBOX_SECRETS", "FINNHUB_TOKEN=e6qtestsecret0000001@e6qtestversion000001",
      "YC_METADATA_URL", "http://host.docker.internal:" + cloud.actualPort(),
      "LOCKBOX_PAYLOAD_URL", "http://host.docker.internal:" + cloud.actualPort(),
      "RUN_SECONDS", "20"));
    GenericContainer<?> service = service(topic, env);
    // Only Lockbox knows the token the emulator accepts. Blank, not absent: a blank variable counts as unset, and
    // the secret from Lockbox must fill it (a runtime that templates every variable passes blanks).
    service.withEnv("FINNHUB_TOKEN", "");
    service.start();
    await().atMost(Duration.ofSeconds(90)).until(() -> !Boolean.TRUE.equals(docker().inspectContainerCmd(service.getContainerId()).exec()
      .getState().getRunning()));
    String output = service.getLogs();
    assertThat(docker().inspectContainerCmd(service.getContainerId()).exec().getState().getExitCodeLong()).as(output).isZero();
    assertThat(output).contains("Read FINNHUB_TOKEN from Lockbox").contains("run limit RUN_SECONDS=20 reached").doesNotContain(TOKEN);
    Matcher stopped = STOPPED.matcher(output);
    assertThat(stopped.find()).as(output).isTrue();
    int received = Integer.parseInt(stopped.group(1));
    // The emulator accepts only the token Lockbox holds: trades flowed, and all of them reached Kafka before the exit.
    assertThat(received).as(output).isPositive();
    assertThat(stopped.group(2)).isEqualTo(stopped.group(1));
    assertThat(KafkaTestSupport.readAll(topic, received, Duration.ofSeconds(60), Duration.ofSeconds(3))).hasSize(received);
    cloud.close().await();
  }

  /** A container of the image against the test broker and this JVM's emulator; not started. */
  private GenericContainer<?> service(String topic, Map<String, String> extraEnv) {
    HealthCheck imageCheck = docker().inspectImageCmd(IMAGE).exec().getConfig().getHealthcheck();
    GenericContainer<?> c = new GenericContainer<>(IMAGE)
      .withNetwork(TestServices.containerNetwork())
      .withExtraHost("host.docker.internal", "host-gateway")
      .withEnv("APP_ENV", "local")
      .withEnv("FINNHUB_URL", "ws://host.docker.internal:" + emulator.actualPort())
      .withEnv("FINNHUB_TOKEN", TOKEN)
      .withEnv("FINNHUB_SYMBOLS", SYMBOLS)
      .withEnv("KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrapForContainers())
      .withEnv("KAFKA_TOPIC", topic)
      // The deployed environments' directory, which is the image's volume (the local one is a path under .work/).
      .withEnv("KAFKA_DISK_BUFFER_DIR", bufferDir)
      .withEnv("HTTP_PORT", Integer.toString(HTTP_PORT))
      .withEnv("HTTP_HOST", "0.0.0.0") // the local environment binds the loopback
      .withEnv(extraEnv)
      .withExposedPorts(HTTP_PORT)
      .waitingFor(Wait.forHttp("/health").forPort(HTTP_PORT).withStartupTimeout(Duration.ofMinutes(2)))
      // The image's own check command, polled every 2 s instead of its 30 s, so that "healthy" shows quickly.
      .withCreateContainerCmdModifier(cmd -> cmd.withHealthcheck(new HealthCheck().withTest(imageCheck.getTest())
        .withInterval(TimeUnit.SECONDS.toNanos(2)).withTimeout(imageCheck.getTimeout()).withRetries(imageCheck.getRetries())
        .withStartPeriod(imageCheck.getStartPeriod())));
    containers.add(c);
    return c;
  }

  private void startEmulator() {
    // On all interfaces: the containers reach it through the bridge's gateway.
    emulator = new FinnhubEmulator(EmulatorOptions.defaults().withHost("0.0.0.0").withAcceptedTokens(Set.of(TOKEN))
      .withTradesPerSecond(2_000).withTotalTrades(1_000_000).withMaxTradesPerFrame(8).withPingIntervalMs(0).withRecordTrades(true));
    vertx.deployVerticle(emulator).await();
  }

  /** The {@code kafka} part of the container's /status, through its port on the host (which changes on restart). */
  private static JsonObject sink(GenericContainer<?> c) throws IOException, InterruptedException {
    Ports.Binding[] bindings = docker().inspectContainerCmd(c.getContainerId()).exec().getNetworkSettings().getPorts()
      .getBindings().get(ExposedPort.tcp(HTTP_PORT));
    if (bindings == null || bindings.length == 0) {
      return null;
    }
    HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + c.getHost() + ":"
      + bindings[0].getHostPortSpec() + "/status")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return res.statusCode() == 200 ? new JsonObject(res.body()).getJsonObject("kafka") : null;
  }

  private static String health(GenericContainer<?> c) {
    var health = docker().inspectContainerCmd(c.getContainerId()).exec().getState().getHealth();
    return health == null ? null : health.getStatus();
  }

  /** {@code docker stop} with a 60 s grace: SIGTERM to PID 1, then waits for the exit. */
  private static InspectContainerResponse.ContainerState dockerStop(GenericContainer<?> c) {
    docker().stopContainerCmd(c.getContainerId()).withTimeout(60).exec();
    return docker().inspectContainerCmd(c.getContainerId()).exec().getState();
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
    }).listen(0, "0.0.0.0").await();
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  /** {@code docker run --rm ARGS}: its standard output; fails the test on a non-zero exit. */
  private static String run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker", "run", "--rm"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("%s -> %s", command, out).isZero();
    return out;
  }

  private static Map<String, String> env(String[] variables) {
    Map<String, String> env = new HashMap<>();
    for (String v : variables) {
      int eq = v.indexOf('=');
      env.put(v.substring(0, eq), v.substring(eq + 1));
    }
    return env;
  }

  private static String dockerfileArg(String name) throws IOException {
    return Files.readAllLines(REPO.resolve("Dockerfile")).stream().filter(l -> l.startsWith("ARG " + name + "="))
      .map(l -> l.substring(("ARG " + name + "=").length())).findFirst().orElseThrow();
  }

  /** A self-signed CA in PEM, made with the JDK's keytool. */
  private static String makeCa() throws IOException, InterruptedException {
    Path store = scratch.resolve("ca.p12");
    Path pem = scratch.resolve("ca.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    for (List<String> args : List.of(
      List.of(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=finnhub-stream image test CA", "-ext", "bc:c",
        "-validity", "2", "-keystore", store.toString(), "-storepass", "changeit"),
      List.of(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", "changeit", "-file", pem.toString()))) {
      Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
    }
    return Files.readString(pem);
  }
}
