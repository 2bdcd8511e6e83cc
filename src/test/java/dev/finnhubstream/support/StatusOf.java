package dev.finnhubstream.support;

import dev.finnhubstream.MainVerticle;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

/** GET /status of a service deployed in the test's own Vert.x. */
public final class StatusOf {

  private StatusOf() {
  }

  public static JsonObject service(WebClient web, MainVerticle main) {
    return web.get(main.httpPort(), "127.0.0.1", "/status").send().await().bodyAsJsonObject();
  }

  /** The Kafka writer's part. */
  public static JsonObject sink(WebClient web, MainVerticle main) {
    return service(web, main).getJsonObject("kafka");
  }
}
