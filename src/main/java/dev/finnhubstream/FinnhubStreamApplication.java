package dev.finnhubstream;

import dev.finnhubstream.metrics.VertxMetricsSetup;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

/**
 * The fat jar's {@code Main-Class}: Vert.x's own launcher ({@code Main-Verticle} from the manifest, {@code -conf},
 * {@code -options}, shutdown hook and exit codes unchanged) plus one hook. The Micrometer metrics factory must be
 * handed to the Vert.x builder before Vert.x exists, and the plain {@link VertxApplication} can only enable
 * metrics through launch flags or {@code VERTX_METRICS_OPTIONS_*} variables, which a plain {@code java -jar}
 * would not carry: so the hook is here, and the event-bus, HTTP and pool metrics are always on.
 */
public final class FinnhubStreamApplication extends VertxApplication implements VertxApplicationHooks {

  private FinnhubStreamApplication(String[] args) {
    super(args); // this class is its own hooks
  }

  public static void main(String[] args) {
    new FinnhubStreamApplication(args).launch();
  }

  /** The version in the jar's manifest, or {@code dev} when run from classes (tests, IDE). */
  public static String version() {
    String v = FinnhubStreamApplication.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    return VertxMetricsSetup.vertxBuilder(options);
  }
}
