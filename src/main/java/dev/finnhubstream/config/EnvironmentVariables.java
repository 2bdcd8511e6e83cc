package dev.finnhubstream.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The environment variables that are not a key's override: where the file is, which environment, the secrets
 * (which come only from here), and the few the container reads. A variable that overrides a key is declared on
 * the key ({@link ConfigKeys}); {@link #all()} lists both kinds, and {@code docs/config-reference.md} is
 * generated from them.
 */
public final class EnvironmentVariables {

  /** One variable: its name, whether its value is secret, and what it does. */
  public record Variable(String name, boolean secret, String doc) {
  }

  public static final String APP_ENV = "APP_ENV";
  public static final String APP_CONFIG = "APP_CONFIG";
  public static final String FINNHUB_TOKEN = "FINNHUB_TOKEN";
  public static final String KAFKA_PASSWORD = "KAFKA_PASSWORD";
  public static final String ADMIN_TOKEN = "ADMIN_TOKEN";
  public static final String LOCKBOX_SECRETS = "LOCKBOX_SECRETS";

  /** The variables the config loader reads besides the key overrides, then those read elsewhere. */
  public static final List<Variable> DECLARED = List.of(
    new Variable(APP_ENV, false, "Which section of `environments` to use: `local` (default), `dev`, `prod`."),
    new Variable(APP_CONFIG, false, "Path of the config file; default `conf/app.json`, relative to the working directory."),
    new Variable(FINNHUB_TOKEN, true, "Finnhub API key, or several comma-separated (one connection each, at most one per symbol); "
      + "required when `finnhub.url` is the real Finnhub. Keys are positions (`key-1`, `key-2`... and the HA slots): write `-` "
      + "where a key was removed, so the keys after it keep theirs; its symbols go to the other keys."),
    new Variable(KAFKA_PASSWORD, true, "SASL password; required when `kafka.security_protocol` is `SASL_*`."),
    new Variable(ADMIN_TOKEN, true, "Bearer token of the admin endpoints (`PUT /symbols`, `DELETE /symbols/{symbol}`), at least 16 "
      + "characters (`openssl rand -hex 24`); unset, the admin endpoints are off."));

  /** Read by {@link LockboxSecrets} and by the container's entrypoint, not by the config loader. */
  public static final List<Variable> ELSEWHERE = List.of(
    new Variable(LOCKBOX_SECRETS, false, "Opt-in: read the secrets from Lockbox at start-up, "
      + "`FINNHUB_TOKEN=<secret id>[@<version id>],KAFKA_PASSWORD=...` (the instance-group runtime sets it). A secret also set "
      + "directly stops start-up."),
    new Variable("JAVA_OPTS", false, "The container's JVM flags (image default `-Xmx256m -XX:+ExitOnOutOfMemoryError`, the heap every figure was measured with)."),
    new Variable("RUN_SECONDS", false, "The container stops the service cleanly after this many seconds and exits 0 (the serverless "
      + "runtime sets it)."));

  /** The variables whose values must never be shown anywhere. */
  public static final List<String> SECRETS = DECLARED.stream().filter(Variable::secret).map(Variable::name).toList();

  private EnvironmentVariables() {
  }

  /** Every variable the config loader reads: the declared ones above, then every key's override. */
  public static List<String> all() {
    List<String> names = new ArrayList<>();
    DECLARED.forEach(v -> names.add(v.name()));
    ConfigKeys.overridden().forEach(k -> names.add(k.variable()));
    return List.copyOf(names);
  }
}
