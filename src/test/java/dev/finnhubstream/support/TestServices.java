package dev.finnhubstream.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.clickhouse.ClickHouseContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Where the integration tests get their Kafka broker and ClickHouse server, decided once per test JVM:
 * <ol>
 *   <li>the services the environment names ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code CLICKHOUSE_URL}), which is how
 *       {@code ci/test.sh} runs them against the natively started broker and server (the fast path);</li>
 *   <li>otherwise containers started with Testcontainers, one broker and one server shared by every test of the
 *       run, from the images named by the build properties {@code testcontainers.kafka.image} and
 *       {@code testcontainers.clickhouse.image} (pom.xml);</li>
 *   <li>otherwise, with no Docker engine either, the test is skipped with a message saying what to install,
 *       unless {@code -Dit.services.required=true} (CI sets it) turns that into a failure: a green CI must mean
 *       the tests ran.</li>
 * </ol>
 * Each variable is decided on its own, so a developer may run their own broker and let Testcontainers start
 * ClickHouse. In containers, ClickHouse's Kafka engine reaches the broker on the containers' network, by the
 * address {@link #kafkaBootstrapFromClickHouse()} returns.
 */
public final class TestServices {

  private static final Logger LOG = LoggerFactory.getLogger(TestServices.class);
  private static final String KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS";
  private static final String CLICKHOUSE_ENV = "CLICKHOUSE_URL";
  /** The broker's name and listener on the containers' network, for ClickHouse's Kafka engine. */
  private static final String KAFKA_ALIAS = "kafka";
  private static final String KAFKA_INTERNAL_LISTENER = KAFKA_ALIAS + ":19092";

  private static Network network;
  private static KafkaContainer kafka;
  private static ClickHouseContainer clickHouse;

  private TestServices() {
  }

  /** The broker's bootstrap servers, as the tests and the service under test reach it. */
  public static synchronized String kafkaBootstrap() {
    String env = System.getenv(KAFKA_ENV);
    if (env != null && !env.isBlank()) {
      return env;
    }
    return kafka().getBootstrapServers();
  }

  /**
   * The broker as ClickHouse's Kafka engine reaches it: the same address, or the broker's name on the containers'
   * network.
   */
  public static synchronized String kafkaBootstrapFromClickHouse() {
    String env = System.getenv(KAFKA_ENV);
    if (env != null && !env.isBlank()) {
      return env;
    }
    if (System.getenv(CLICKHOUSE_ENV) != null && !System.getenv(CLICKHOUSE_ENV).isBlank()) {
      throw new AssertionError(CLICKHOUSE_ENV + " names a server of your own but " + KAFKA_ENV + " is not set: that server"
        + " cannot reach a broker in a container. Set both, or neither.");
    }
    kafka();
    return KAFKA_INTERNAL_LISTENER;
  }

  /** ClickHouse's HTTP interface, for the default user. */
  public static synchronized String clickHouseUrl() {
    String env = System.getenv(CLICKHOUSE_ENV);
    if (env != null && !env.isBlank()) {
      return env;
    }
    ClickHouseContainer c = clickHouse();
    return "http://" + c.getHost() + ":" + c.getMappedPort(8123);
  }

  /**
   * The broker as another container on {@link #containerNetwork()} reaches it (the service's image under test).
   * Skips the test when the broker is not a container of this run: a broker on the host's loopback advertises an
   * address no container can use.
   */
  public static synchronized String kafkaBootstrapForContainers() {
    if (!kafkaInContainer()) {
      Assumptions.abort("this test runs the service in a container, which cannot reach the broker " + KAFKA_ENV
        + " names on the host; unset it to let Testcontainers start the broker (ci/docker-test.sh does)");
    }
    kafka();
    return KAFKA_INTERNAL_LISTENER;
  }

  /** The network the broker and ClickHouse containers share. */
  public static synchronized Network containerNetwork() {
    return network();
  }

  /** True when the broker is a container of this run (outages are then caused through Docker). */
  public static synchronized boolean kafkaInContainer() {
    String env = System.getenv(KAFKA_ENV);
    return env == null || env.isBlank();
  }

  /** {@code docker kill} (SIGKILL) of the broker's container: connections drop, nothing is flushed. */
  static synchronized void killKafkaContainer() {
    DockerClientFactory.instance().client().killContainerCmd(kafka().getContainerId()).exec();
    LOG.info("Kafka container killed");
  }

  /** Starts the killed broker's container again (same data, same host port) and waits until it answers. */
  static synchronized void startKafkaContainer() {
    KafkaContainer k = kafka();
    var client = DockerClientFactory.instance().client();
    Boolean running = client.inspectContainerCmd(k.getContainerId()).exec().getState().getRunning();
    if (!Boolean.TRUE.equals(running)) {
      client.startContainerCmd(k.getContainerId()).exec();
    }
    awaitBroker(k.getBootstrapServers(), Duration.ofMinutes(2));
    LOG.info("Kafka container answering again at {}", k.getBootstrapServers());
  }

  private static KafkaContainer kafka() {
    if (kafka == null) {
      requireDocker(KAFKA_ENV, "Kafka broker");
      DockerImageName image = image("testcontainers.kafka.image", "apache/kafka");
      // A fixed host port, so that the broker keeps its advertised address across the kill and restart of the
      // outage tests (a restarted container would otherwise get a new random port).
      int hostPort = freePort();
      KafkaContainer k = new KafkaContainer(image)
        .withNetwork(network())
        .withNetworkAliases(KAFKA_ALIAS)
        .withListener(KAFKA_INTERNAL_LISTENER)
        // As ci/kafka.sh: several partitions per topic, and a broker restarted after kill -9 registers again quickly.
        .withEnv("KAFKA_NUM_PARTITIONS", "3")
        .withEnv("KAFKA_BROKER_SESSION_TIMEOUT_MS", "4000")
        .withEnv("KAFKA_BROKER_HEARTBEAT_INTERVAL_MS", "1000")
        .withStartupTimeout(Duration.ofMinutes(3));
      k.setPortBindings(List.of(hostPort + ":9092"));
      long t0 = System.nanoTime();
      k.start();
      LOG.info("Kafka container {} started in {} ms at {}", image, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
        k.getBootstrapServers());
      kafka = k;
      stopAtExit(k);
    }
    return kafka;
  }

  private static ClickHouseContainer clickHouse() {
    if (clickHouse == null) {
      requireDocker(CLICKHOUSE_ENV, "ClickHouse server");
      DockerImageName image = image("testcontainers.clickhouse.image", "clickhouse/clickhouse-server");
      ClickHouseContainer c = new ClickHouseContainer(image)
        .withNetwork(network())
        .withStartupTimeout(Duration.ofMinutes(2));
      long t0 = System.nanoTime();
      c.start();
      LOG.info("ClickHouse container {} started in {} ms at port {}", image, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
        c.getMappedPort(8123));
      clickHouse = c;
      stopAtExit(c);
    }
    return clickHouse;
  }

  private static Network network() {
    if (network == null) {
      network = Network.newNetwork();
    }
    return network;
  }

  /** The image a build property names, accepted by the Testcontainers module written for {@code official}. */
  private static DockerImageName image(String property, String official) {
    String name = System.getProperty(property);
    if (name == null || name.isBlank()) {
      throw new AssertionError("the build property " + property + " is not set: run the integration tests through Maven"
        + " (mvn verify), which passes it from pom.xml, or pass -D" + property + "=<image>");
    }
    return DockerImageName.parse(name).asCompatibleSubstituteFor(official);
  }

  private static void requireDocker(String variable, String what) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      skipOrFail("No " + what + " for this integration test: " + variable + " is not set and no Docker engine answers."
        + " Install and start Docker (Testcontainers then starts one), or run ci/test.sh, which starts the services"
        + " natively and sets " + variable + ".");
    }
  }

  /** Skips a test that needs a Docker engine itself (the image test) when none answers. */
  public static void requireDocker(String what) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      skipOrFail(what + " needs a Docker engine and none answers: install and start Docker (ci/docker.sh start does"
        + " on Debian).");
    }
  }

  private static void skipOrFail(String message) {
    if (Boolean.getBoolean("it.services.required")) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
  }

  /**
   * Without Ryuk (it cannot be pulled where no registry is reachable, so CI disables it) nothing else would remove
   * the containers when the test JVM ends; with Ryuk this is merely early.
   */
  private static void stopAtExit(org.testcontainers.containers.GenericContainer<?> container) {
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-" + container.getDockerImageName()));
  }

  static void awaitBroker(String bootstrap, Duration atMost) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    long deadline = System.nanoTime() + atMost.toNanos();
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          admin.listTopics().names().get(5, TimeUnit.SECONDS);
          return;
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("broker at " + bootstrap + " not answering after " + atMost, e);
          }
        }
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError("no free port", e);
    }
  }
}
