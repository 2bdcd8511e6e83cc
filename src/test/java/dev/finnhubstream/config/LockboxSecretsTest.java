package dev.finnhubstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link LockboxSecrets} against a local fake of the two services it calls: the instance metadata service
 * (IAM token) and the Lockbox payload API. The fake checks what a real one would (the metadata header, the
 * bearer token, the version parameter) and can answer with any status, so every path is exercised.
 */
class LockboxSecretsTest {

  private static final String IAM_TOKEN = "t1.iam-" + System.nanoTime();
  private static final String FINNHUB = "finnhub-key-" + System.nanoTime();
  private static final String KAFKA = "kafka-pass-" + System.nanoTime();
  private static final IamToken.Retry FAST = new IamToken.Retry(4, 10, 40);

  private Vertx vertx;
  private FakeCloud cloud;
  private ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    cloud = new FakeCloud();
    cloud.secrets.put("e6qfinnhub0000000001", new JsonArray().add(entry("FINNHUB_TOKEN", FINNHUB)));
    cloud.secrets.put("e6qkafka000000000002@e6qversion0000000002", new JsonArray()
      .add(entry("KAFKA_PASSWORD", KAFKA)).add(entry("OTHER", "unused")));
    cloud.start(vertx);
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(LockboxSecrets.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(LockboxSecrets.class)).detachAppender(logs);
    vertx.close().await();
  }

  @Test
  @DisplayName("reads each secret variable from its Lockbox secret with the VM's IAM token, pinned versions included")
  void readsSecrets() {
    Map<String, String> secrets = load(env("FINNHUB_TOKEN=e6qfinnhub0000000001, KAFKA_PASSWORD=e6qkafka000000000002@e6qversion0000000002"));

    assertThat(secrets).containsExactly(Map.entry("FINNHUB_TOKEN", FINNHUB), Map.entry("KAFKA_PASSWORD", KAFKA));
    assertThat(cloud.requests).containsExactly(
      "GET " + IamToken.TOKEN_PATH + " metadata-flavor=Google",
      "GET /lockbox/v1/secrets/e6qfinnhub0000000001/payload bearer=ok",
      "GET /lockbox/v1/secrets/e6qkafka000000000002/payload?versionId=e6qversion0000000002 bearer=ok");
    assertThat(messages()).anyMatch(m -> m.contains("Read FINNHUB_TOKEN, KAFKA_PASSWORD from Lockbox")
      && m.contains("secret e6qfinnhub0000000001 (current version)") && m.contains("version e6qversion0000000002"));
    assertNoSecretLogged();
  }

  @Test
  @DisplayName("two variables in one secret version cost one payload request; binary entries are decoded")
  void oneRequestPerSecretVersion() {
    cloud.secrets.put("e6qboth00000000000003", new JsonArray()
      .add(entry("FINNHUB_TOKEN", FINNHUB))
      .add(new JsonObject().put("key", "KAFKA_PASSWORD").put("binaryValue", Base64.getEncoder().encodeToString(KAFKA.getBytes(StandardCharsets.UTF_8)))));

    Map<String, String> secrets = load(env("FINNHUB_TOKEN=e6qboth00000000000003,KAFKA_PASSWORD=e6qboth00000000000003"));

    assertThat(secrets).containsEntry("FINNHUB_TOKEN", FINNHUB).containsEntry("KAFKA_PASSWORD", KAFKA);
    assertThat(cloud.requests).hasSize(2);
  }

  @Test
  @DisplayName("without LOCKBOX_SECRETS nothing is requested and nothing is added")
  void optIn() {
    assertThat(load(env(null))).isEmpty();
    assertThat(load(env(" "))).isEmpty();
    assertThat(cloud.requests).isEmpty();
  }

  @Test
  @DisplayName("a malformed LOCKBOX_SECRETS, or a secret also set directly, is refused before any request, naming the key")
  void refusesBadSpecification() {
    Map<String, String> cases = Map.of(
      "FINNHUB_TOKEN", "LOCKBOX_SECRETS: \"FINNHUB_TOKEN\" has no '='",
      "KAFKA_USERNAME=e6qx", "LOCKBOX_SECRETS: \"KAFKA_USERNAME\" is not a secret the service reads",
      "FINNHUB_TOKEN=a,FINNHUB_TOKEN=b", "LOCKBOX_SECRETS: FINNHUB_TOKEN is listed twice",
      "FINNHUB_TOKEN=", "LOCKBOX_SECRETS: FINNHUB_TOKEN: \"\" is not a Lockbox secret id",
      "FINNHUB_TOKEN=e6q/../x", "is not a Lockbox secret id",
      "FINNHUB_TOKEN=e6qa@", "is not a Lockbox secret id");
    cases.forEach((spec, message) -> assertThatThrownBy(() -> load(env(spec)))
      .as(spec).isInstanceOf(ConfigException.class).hasMessageContaining(message).hasMessageContaining("Fix: "));

    Map<String, String> both = env("FINNHUB_TOKEN=e6qfinnhub0000000001");
    both.put("FINNHUB_TOKEN", "direct");
    assertThatThrownBy(() -> load(both)).isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("FINNHUB_TOKEN: set both in the environment and through LOCKBOX_SECRETS")
      .hasMessageNotContaining("direct");
    assertThat(cloud.requests).isEmpty();
  }

  @Test
  @DisplayName("permission denied and not found fail at once with the secret id and the fix, never retried")
  void refusalIsFinal() {
    cloud.statuses.add(403);
    assertThatThrownBy(() -> load(env("FINNHUB_TOKEN=e6qfinnhub0000000001")))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("Lockbox (secret e6qfinnhub0000000001 (current version)) answered HTTP 403 (permission denied)")
      .hasMessageContaining("Fix: grant the runtime service account lockbox.payloadViewer");
    assertThat(cloud.requests).hasSize(2);

    cloud.requests.clear();
    assertThatThrownBy(() -> load(env("FINNHUB_TOKEN=e6qfinnhub0000000001@e6qgone")))
      .hasMessageContaining("answered HTTP 404 (not found)");
    assertThat(cloud.requests).hasSize(2);
    assertNoSecretLogged();
  }

  @Test
  @DisplayName("a missing key names the keys the secret has, never their values")
  void missingKey() {
    assertThatThrownBy(() -> load(env("FINNHUB_TOKEN=e6qkafka000000000002@e6qversion0000000002")))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("has no entry FINNHUB_TOKEN (its keys: KAFKA_PASSWORD, OTHER)")
      .hasMessageNotContaining(KAFKA).hasMessageNotContaining("unused");
  }

  @Test
  @DisplayName("a metadata service that lags after boot and a Lockbox 5xx are retried until they answer")
  void transientFailuresAreRetried() {
    cloud.tokenStatuses.add(503);
    cloud.tokenStatuses.add(500);
    cloud.statuses.add(500);
    cloud.statuses.add(429);

    assertThat(load(env("FINNHUB_TOKEN=e6qfinnhub0000000001"))).containsEntry("FINNHUB_TOKEN", FINNHUB);
    assertThat(cloud.requests).hasSize(6);
    assertThat(messages()).filteredOn(m -> m.contains("retrying")).hasSize(4);
    assertNoSecretLogged();
  }

  @Test
  @DisplayName("no metadata service at all (not on a VM): gives up after the configured attempts with the fix")
  void noMetadataService() throws IOException {
    Map<String, String> env = env("FINNHUB_TOKEN=e6qfinnhub0000000001");
    env.put(IamToken.METADATA_URL, "http://127.0.0.1:" + closedPort());
    assertThatThrownBy(() -> load(env))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("LOCKBOX_SECRETS: getting an IAM token from the metadata service at http://127.0.0.1:")
      .hasMessageContaining("failed 4 times")
      .hasMessageContaining("unset LOCKBOX_SECRETS and pass the secrets as environment variables");
  }

  @Test
  @DisplayName("error bodies are never copied into messages (they could echo what was sent)")
  void errorBodiesStayOut() {
    cloud.echoOnError = true;
    cloud.statuses.add(401);
    assertThatThrownBy(() -> load(env("FINNHUB_TOKEN=e6qfinnhub0000000001")))
      .hasMessageContaining("HTTP 401").hasMessageNotContaining(IAM_TOKEN).hasMessageNotContaining(FINNHUB);
    assertNoSecretLogged();
  }

  private Map<String, String> load(Map<String, String> env) {
    return LockboxSecrets.load(vertx, env, FAST).await();
  }

  private Map<String, String> env(String spec) {
    Map<String, String> env = new HashMap<>();
    if (spec != null) {
      env.put(EnvironmentVariables.LOCKBOX_SECRETS, spec);
    }
    env.put(IamToken.METADATA_URL, "http://127.0.0.1:" + cloud.port());
    env.put(LockboxSecrets.PAYLOAD_URL, "http://127.0.0.1:" + cloud.port() + "/");
    return env;
  }

  private List<String> messages() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private void assertNoSecretLogged() {
    assertThat(messages()).noneMatch(m -> m.contains(IAM_TOKEN) || m.contains(FINNHUB) || m.contains(KAFKA));
  }

  private static JsonObject entry(String key, String value) {
    return new JsonObject().put("key", key).put("textValue", value);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The metadata service and the Lockbox payload API on one local port. */
  private static final class FakeCloud {

    final Map<String, JsonArray> secrets = new HashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final Queue<Integer> tokenStatuses = new ArrayDeque<>();
    final Queue<Integer> statuses = new ArrayDeque<>();
    boolean echoOnError;
    private HttpServer server;

    void start(Vertx vertx) {
      server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
    }

    int port() {
      return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
      String path = request.path();
      if (path.equals(IamToken.TOKEN_PATH)) {
        requests.add("GET " + path + " metadata-flavor=" + request.getHeader("Metadata-Flavor"));
        Integer status = tokenStatuses.poll();
        if (status != null || !"Google".equals(request.getHeader("Metadata-Flavor"))) {
          request.response().setStatusCode(status == null ? 403 : status).end();
          return;
        }
        request.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("access_token", IAM_TOKEN).put("expires_in", 43_000).put("token_type", "Bearer").encode());
        return;
      }
      String authorization = request.getHeader("Authorization");
      boolean bearer = ("Bearer " + IAM_TOKEN).equals(authorization);
      requests.add("GET " + request.uri() + " bearer=" + (bearer ? "ok" : authorization));
      Integer status = statuses.poll();
      if (status != null) {
        request.response().setStatusCode(status).end(echoOnError ? "{\"message\":\"bad token " + authorization + " for " + FINNHUB + "\"}" : "");
        return;
      }
      String id = path.replaceAll("^/lockbox/v1/secrets/([^/]+)/payload$", "$1");
      String version = request.getParam("versionId");
      JsonArray entries = secrets.get(version == null ? id : id + "@" + version);
      if (!bearer) {
        request.response().setStatusCode(401).end();
      } else if (entries == null) {
        request.response().setStatusCode(404).end();
      } else {
        request.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("entries", entries).put("versionId", version == null ? "current" : version).encode());
      }
    }
  }
}
