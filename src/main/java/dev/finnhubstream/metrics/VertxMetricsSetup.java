package dev.finnhubstream.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Creates Vert.x with Micrometer metrics into one Prometheus registry, so Vert.x's own event-bus, HTTP server,
 * HTTP/WebSocket client and worker-pool meters sit next to the service's in {@code /metrics}, along with the
 * JVM and process binders.
 *
 * <p>Labels: the event-bus address is added (our addresses are a fixed set; Vert.x leaves out the per-request
 * reply addresses), and the HTTP route (a pattern such as {@code /debug/eventbus/:address}), never the raw path,
 * so that no label can grow without bound.
 */
public final class VertxMetricsSetup {

  /** Name under which vertx-micrometer keeps the registry; {@link #registry()} looks it up. */
  public static final String REGISTRY_NAME = "finnhub-stream";

  private VertxMetricsSetup() {
  }

  /** A Vert.x builder with metrics on, from launcher-parsed (or default) options. */
  public static VertxBuilder vertxBuilder(VertxOptions options) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setEnabled(true)
      .setRegistryName(REGISTRY_NAME)
      .setJvmMetricsEnabled(true)
      .addLabels(Label.EB_ADDRESS, Label.HTTP_ROUTE);
    return Vertx.builder()
      .with(new VertxOptions(options).setMetricsOptions(metrics))
      .withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Vert.x with metrics on and default options (tests, tools). */
  public static Vertx newVertx() {
    return vertxBuilder(new VertxOptions()).build();
  }

  /**
   * The registry of the Vert.x instance built by {@link #vertxBuilder}, or {@code null} when Vert.x was created
   * without it (then the metrics verticle keeps a registry of its own, without Vert.x's meters).
   */
  public static PrometheusMeterRegistry registry() {
    MeterRegistry registry = BackendRegistries.getNow(REGISTRY_NAME);
    return registry instanceof PrometheusMeterRegistry prometheus ? prometheus : null;
  }
}
