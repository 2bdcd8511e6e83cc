package dev.finnhubstream.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the service's secrets ({@code FINNHUB_TOKEN}, {@code KAFKA_PASSWORD}) from Yandex Lockbox at
 * start-up, for runtimes that cannot inject Lockbox secrets as environment variables themselves (the
 * Compute instance group on the Container Optimized Image: its container spec holds plain values only).
 *
 * <p>Opt-in: only when {@code LOCKBOX_SECRETS} is set, e.g.
 * {@code FINNHUB_TOKEN=e6q1...,KAFKA_PASSWORD=e6q2...@e6qv...}: each secret variable names the Lockbox secret
 * (and optionally the version, after {@code @}) whose entry with the same key holds its value. The VM's
 * service account authenticates: its IAM token comes from the instance metadata service, so no key file
 * exists anywhere. Secret values and the IAM token are never logged nor put into an error message; only
 * ids, keys and HTTP statuses are.
 *
 * <p>Transient failures (connection refused, timeouts, HTTP 5xx and 429) are retried with a doubling delay,
 * since the metadata service can lag right after boot; a refusal (401, 403, 404) or a missing key fails at
 * once with the key and the fix. The token and the retrying are {@link IamToken}'s, shared with the DataLens tool.
 */
public final class LockboxSecrets {

  /** Overrides the Lockbox payload API (tests only). */
  public static final String PAYLOAD_URL = "LOCKBOX_PAYLOAD_URL";

  static final String DEFAULT_PAYLOAD_URL = "https://payload.lockbox.api.cloud.yandex.net";

  private static final Logger LOGGER = LoggerFactory.getLogger(LockboxSecrets.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final long REQUEST_TIMEOUT_MS = 10_000;
  private static final IamToken.Blame BLAME = new IamToken.Blame(EnvironmentVariables.LOCKBOX_SECRETS,
    "run on a Yandex Compute VM with a service account (or a serverless container), check its network, or unset "
      + EnvironmentVariables.LOCKBOX_SECRETS + " and pass the secrets as environment variables");

  /** One secret variable and where its value lives. */
  record Reference(String variable, String secretId, String versionId) {

    String where() {
      return "secret " + secretId + (versionId == null ? " (current version)" : " version " + versionId);
    }
  }

  private final Vertx vertx;
  private final String metadataUrl;
  private final String payloadUrl;
  private final IamToken.Retry retry;

  LockboxSecrets(Vertx vertx, String metadataUrl, String payloadUrl, IamToken.Retry retry) {
    this.vertx = vertx;
    this.metadataUrl = IamToken.stripSlash(metadataUrl);
    this.payloadUrl = IamToken.stripSlash(payloadUrl);
    this.retry = retry;
  }

  /**
   * The secret variables {@code LOCKBOX_SECRETS} asks for, read from Lockbox; an empty map when it is not
   * set. Fails with a {@link ConfigException} naming the variable and the fix.
   *
   * @param env the process environment
   */
  public static Future<Map<String, String>> load(Vertx vertx, Map<String, String> env) {
    return load(vertx, env, IamToken.Retry.DEFAULT);
  }

  static Future<Map<String, String>> load(Vertx vertx, Map<String, String> env, IamToken.Retry retry) {
    List<Reference> references;
    try {
      references = parse(env.get(EnvironmentVariables.LOCKBOX_SECRETS), env);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    if (references.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return new LockboxSecrets(vertx, IamToken.metadataUrl(env), env.getOrDefault(PAYLOAD_URL, DEFAULT_PAYLOAD_URL), retry)
      .fetch(references);
  }

  /**
   * Parses {@code LOCKBOX_SECRETS}. Each variable must be one of the service's secrets, listed once, and
   * not also set directly in the environment (two sources for one secret would make the winner a guess).
   */
  static List<Reference> parse(String value, Map<String, String> env) {
    List<Reference> references = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return references;
    }
    String format = "VARIABLE=SECRET_ID[@VERSION_ID],... with VARIABLE one of " + String.join(", ", EnvironmentVariables.SECRETS);
    for (String item : value.split(",", -1)) {
      String entry = item.strip();
      int eq = entry.indexOf('=');
      if (eq < 0) {
        throw new ConfigException(EnvironmentVariables.LOCKBOX_SECRETS, "\"" + entry + "\" has no '='", "use " + format);
      }
      String variable = entry.substring(0, eq).strip();
      String target = entry.substring(eq + 1).strip();
      if (!EnvironmentVariables.SECRETS.contains(variable)) {
        throw new ConfigException(EnvironmentVariables.LOCKBOX_SECRETS, "\"" + variable + "\" is not a secret the service reads", "use " + format);
      }
      if (references.stream().anyMatch(r -> r.variable().equals(variable))) {
        throw new ConfigException(EnvironmentVariables.LOCKBOX_SECRETS, variable + " is listed twice", "list each secret once");
      }
      String v = env.get(variable);
      if (v != null && !v.isBlank()) {
        throw new ConfigException(variable, "set both in the environment and through " + EnvironmentVariables.LOCKBOX_SECRETS,
          "use one source: unset " + variable + ", or remove it from " + EnvironmentVariables.LOCKBOX_SECRETS);
      }
      int at = target.indexOf('@');
      String secretId = at < 0 ? target : target.substring(0, at);
      String versionId = at < 0 ? null : target.substring(at + 1);
      if (!ID.matcher(secretId).matches() || (versionId != null && !ID.matcher(versionId).matches())) {
        throw new ConfigException(EnvironmentVariables.LOCKBOX_SECRETS, variable + ": \"" + target + "\" is not a Lockbox secret id (optionally @version id)",
          "use " + format + " (terraform output runtime_secrets lists the ids)");
      }
      references.add(new Reference(variable, secretId, versionId));
    }
    return references;
  }

  /** Gets an IAM token once, then reads each distinct secret version once. */
  Future<Map<String, String>> fetch(List<Reference> references) {
    WebClient client = WebClient.create(vertx, new WebClientOptions()
      .setConnectTimeout((int) REQUEST_TIMEOUT_MS)
      .setUserAgent("finnhub-stream"));
    return IamToken.fromMetadata(vertx, client, metadataUrl, retry, BLAME,
        "attach a service account to the VM (the instance group's instance_template.service_account_id) and enable the GCE metadata endpoint", LOGGER)
      .compose(token -> {
        Map<Reference, Future<JsonArray>> payloads = new LinkedHashMap<>();
        Map<String, Future<JsonArray>> bySecret = new LinkedHashMap<>();
        for (Reference reference : references) {
          String key = reference.secretId() + "@" + reference.versionId();
          Future<JsonArray> entries = bySecret.computeIfAbsent(key, k -> IamToken.retrying(vertx, retry, BLAME, LOGGER,
            "reading " + reference.where() + " from Lockbox",
            () -> payload(client, token, reference)));
          payloads.put(reference, entries);
        }
        return Future.all(new ArrayList<>(payloads.values())).map(all -> {
          Map<String, String> secrets = new LinkedHashMap<>();
          for (Map.Entry<Reference, Future<JsonArray>> e : payloads.entrySet()) {
            secrets.put(e.getKey().variable(), value(e.getKey(), e.getValue().result()));
          }
          return secrets;
        });
      })
      .onSuccess(secrets -> LOGGER.info("Read {} from Lockbox ({})", String.join(", ", secrets.keySet()),
        String.join(", ", references.stream().map(r -> r.variable() + ": " + r.where()).toList())))
      .onComplete(ar -> client.close());
  }

  private Future<JsonArray> payload(WebClient client, String token, Reference reference) {
    var request = client.getAbs(payloadUrl + "/lockbox/v1/secrets/" + reference.secretId() + "/payload")
      .putHeader("Authorization", "Bearer " + token)
      .timeout(REQUEST_TIMEOUT_MS);
    if (reference.versionId() != null) {
      request.addQueryParam("versionId", reference.versionId());
    }
    return request.send().compose(response -> {
      if (response.statusCode() != 200) {
        return Future.failedFuture(IamToken.statusFailure(EnvironmentVariables.LOCKBOX_SECRETS, response.statusCode(),
          "Lockbox (" + reference.where() + ")",
          "grant the runtime service account lockbox.payloadViewer on the secret, and check the ids against terraform output runtime_secrets"));
      }
      JsonArray entries = null;
      try {
        JsonObject body = response.bodyAsJsonObject();
        entries = body == null ? null : body.getJsonArray("entries");
      } catch (DecodeException | ClassCastException e) {
        // reported below without the body: it holds secret values
      }
      if (entries == null) {
        return Future.failedFuture(new ConfigException(EnvironmentVariables.LOCKBOX_SECRETS, "Lockbox answered for " + reference.where()
          + " without an entries list", "check LOCKBOX_PAYLOAD_URL (unset it in the cloud)"));
      }
      return Future.succeededFuture(entries);
    });
  }

  /** The value of the entry whose key is the variable's name; a missing key names the keys present. */
  private static String value(Reference reference, JsonArray entries) {
    TreeSet<String> keys = new TreeSet<>();
    for (Object o : entries) {
      if (!(o instanceof JsonObject entry)) {
        continue;
      }
      String key = entry.getString("key");
      keys.add(String.valueOf(key));
      if (!reference.variable().equals(key)) {
        continue;
      }
      String text = entry.getString("textValue");
      if (text != null) {
        return text;
      }
      String binary = entry.getString("binaryValue");
      if (binary != null) {
        return new String(Base64.getDecoder().decode(binary), StandardCharsets.UTF_8);
      }
    }
    throw new ConfigException(EnvironmentVariables.LOCKBOX_SECRETS, reference.where() + " has no entry " + reference.variable() + " (its keys: "
      + (keys.isEmpty() ? "none" : String.join(", ", keys)) + ")", "store the value under the key " + reference.variable()
      + ", or point " + reference.variable() + " at the secret that holds it");
  }
}
