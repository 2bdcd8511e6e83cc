package dev.finnhubstream.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads {@code conf/app.json} and the environment with one explicit {@link ConfigRetriever}, then hands
 * both to {@link ConfigResolver}.
 *
 * <p>Why explicit: the default retriever also reads {@code conf/config.json} and system properties, ranks
 * the file above the environment, and rescans every 5 s. Here the stores are the file, then only the
 * environment variables we document (as raw strings, so tokens and ids are never turned into numbers),
 * and nothing is rescanned: a config change means a restart.
 */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  public static Future<AppConfig> load(Vertx vertx) {
    return load(vertx, Map.of());
  }

  /**
   * Like {@link #load(Vertx)}, with secret variables read elsewhere (see {@link LockboxSecrets}) added to the
   * environment; {@link LockboxSecrets} has already refused a variable set in both places.
   */
  public static Future<AppConfig> load(Vertx vertx, Map<String, String> secrets) {
    String path = ConfigResolver.configFile(System.getenv());
    return vertx.fileSystem().exists(path).compose(exists -> {
      if (!exists) {
        return Future.failedFuture(new ConfigException(EnvironmentVariables.APP_CONFIG, "config file " + path
          + " not found (working directory " + Path.of("").toAbsolutePath() + ")",
          "run from the repository root, or export APP_CONFIG=/path/to/app.json"));
      }
      ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .setScanPeriod(-1)
        .addStore(new ConfigStoreOptions().setType("file").setFormat("json").setConfig(new JsonObject().put("path", path)))
        .addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject()
          .put("keys", new JsonArray(EnvironmentVariables.all())).put("raw-data", true))));
      return retriever.getConfig()
        .eventually(retriever::close)
        .recover(e -> Future.failedFuture(ConfigResolver.invalidJson(path, e.getMessage())))
        .map(merged -> {
          Map<String, String> env = new HashMap<>();
          for (String name : EnvironmentVariables.all()) {
            Object value = merged.remove(name);
            if (value != null) {
              env.put(name, value.toString());
            }
          }
          // A blank variable counts as unset everywhere (ConfigResolver), so a secret from Lockbox fills it too;
          // LockboxSecrets has already refused a variable set both ways.
          secrets.forEach((name, value) -> env.merge(name, value, (set, fromLockbox) -> set.isBlank() ? fromLockbox : set));
          return ConfigResolver.resolve(merged, path, env);
        });
    });
  }
}
