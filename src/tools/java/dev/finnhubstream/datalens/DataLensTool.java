package dev.finnhubstream.datalens;

import dev.finnhubstream.ToolConsole;
import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.DataLensConfig;
import dev.finnhubstream.config.EnvironmentVariables;
import dev.finnhubstream.config.IamToken;
import dev.finnhubstream.config.Secret;
import dev.finnhubstream.datalens.Definitions.DefinitionException;
import dev.finnhubstream.datalens.Definitions.Source;
import dev.finnhubstream.log.Redactor;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an environment's DataLens dashboard from the reviewed files in {@code src/tools/resources/datalens/}
 * ({@code ci/datalens.sh} runs it with Terraform's outputs):
 * <pre>
 * java -cp target/finnhub-stream-fat.jar:target/finnhub-stream-tools.jar dev.finnhubstream.datalens.DataLensTool \
 *     plan|apply|destroy|export ENV [--definitions DIR] [--rotate-password] [--to DIR]
 * </pre>
 * <ul>
 *   <li>{@code plan}: prints what {@code apply} would create or update, changes nothing;</li>
 *   <li>{@code apply}: creates or updates, in order, the workbook ({@code datalens.workbook}), the ClickHouse connection,
 *       the charts and the dashboard; unchanged entries are not written. {@code --rotate-password} updates the
 *       connection even when nothing readable changed (after Terraform replaced the password);</li>
 *   <li>{@code destroy}: deletes the dashboard, charts and connection it creates, then the workbook if nothing else is
 *       in it;</li>
 *   <li>{@code export}: writes the workbook's charts and dashboard in the files' shape to {@code --to DIR} (default
 *       {@code target/datalens-export/ENV}), to carry a change made in the UI into the files.</li>
 * </ul>
 * Inputs: {@code conf/app.json} ({@code datalens}, {@code clickhouse.database}, {@code dashboard.window_minutes}); the
 * IAM token in {@code YC_TOKEN}, or else from the VM's metadata service; for plan and apply, Terraform's output
 * {@code datalens_clickhouse} in {@code DATALENS_CLICKHOUSE}; for apply, the password in
 * {@code DATALENS_CLICKHOUSE_PASSWORD}. The token and the password are never printed, logged or written.
 *
 * <p>The plan goes to stdout, retries to stderr. Exit 0 when done, 1 when DataLens refused or failed, 2 on usage,
 * 15 on a configuration or definition problem.
 */
public final class DataLensTool {

  public static final String TOKEN = "YC_TOKEN";
  public static final String PASSWORD = "DATALENS_CLICKHOUSE_PASSWORD";
  static final String USAGE = "usage: DataLensTool plan|apply|destroy|export ENV [--definitions DIR] [--rotate-password] [--to DIR]";

  private static final Logger LOGGER = LoggerFactory.getLogger(DataLensTool.class);
  private static final List<String> COMMANDS = List.of("plan", "apply", "destroy", "export");

  private DataLensTool() {
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    int code;
    try {
      code = run(args, System.getenv(), vertx, IamToken.Retry.DEFAULT, ToolConsole::output, ToolConsole::message);
    } finally {
      vertx.close().await();
    }
    System.exit(code);
  }

  /**
   * Runs one command; returns the exit code. Never on an event loop: it waits for each call.
   *
   * @param out  the plan or result, line by line
   * @param err  usage and the one-line error
   */
  static int run(String[] args, Map<String, String> env, Vertx vertx, IamToken.Retry retry, Consumer<String> out, Consumer<String> err) {
    List<String> positional = new ArrayList<>();
    Path definitionsDir = null;
    Path exportDir = null;
    boolean rotate = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--definitions" -> definitionsDir = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--to" -> exportDir = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--rotate-password" -> rotate = true;
        default -> positional.add(args[i]);
      }
    }
    if (positional.size() != 2 || !COMMANDS.contains(positional.get(0)) || positional.get(1).startsWith("-")) {
      err.accept(USAGE);
      return 2;
    }
    String command = positional.get(0);
    String environment = positional.get(1);
    String file = ConfigResolver.configFile(env);
    DataLensConfig config;
    Definitions definitions;
    ClickHouseTarget target = null;
    String password = null;
    try {
      JsonObject root = ToolConsole.configFile(env);
      Map<String, String> withEnvironment = new HashMap<>(env);
      withEnvironment.put(EnvironmentVariables.APP_ENV, environment);
      config = ConfigResolver.dataLens(root, file, withEnvironment);
      if (!config.enabled()) {
        throw new ConfigException("environments." + environment + ".datalens.enabled", "false, so the environment has no DataLens dashboard",
          "set it to true and run terraform apply (it opens ClickHouse to DataLens and creates its user)");
      }
      definitions = Definitions.load(definitionsDir == null ? Source.classpath() : Source.directory(definitionsDir), Definitions.placeholders(config));
      if (command.equals("plan") || command.equals("apply")) {
        target = ClickHouseTarget.parse(env.get(ClickHouseTarget.VARIABLE));
        if (!target.database().equals(config.database())) {
          throw new ConfigException(ClickHouseTarget.VARIABLE, "names database " + target.database() + ", conf/app.json clickhouse.database "
            + config.database(), "run terraform apply for this environment, or export the output of its state");
        }
      }
      if (command.equals("apply")) {
        password = env.get(PASSWORD);
        if (password == null || password.isEmpty()) {
          throw new ConfigException(PASSWORD, "not set", "export " + PASSWORD + "=\"$(terraform -chdir=terraform output -raw datalens_clickhouse_password)\""
            + " (ci/datalens.sh does; never write it to a file)");
        }
      }
    } catch (ConfigException | DefinitionException | IllegalArgumentException e) {
      err.accept("Invalid configuration, nothing done: " + e.getMessage());
      return 15;
    }

    List<Secret> secrets = new ArrayList<>();
    if (password != null) {
      secrets.add(new Secret(password));
    }
    WebClient client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(10_000).setUserAgent("finnhub-stream-datalens"));
    try {
      String token = env.get(TOKEN);
      if (token == null || token.isBlank()) {
        LOGGER.info("{} is not set: asking the metadata service for the VM's service account token", TOKEN);
        token = IamToken.fromMetadata(vertx, client, IamToken.metadataUrl(env), retry, new IamToken.Blame(TOKEN,
            "export " + TOKEN + "=$(yc iam create-token), or run on a Yandex Cloud VM whose service account may use DataLens"),
          "attach a service account to the VM, or export " + TOKEN + "=$(yc iam create-token)", LOGGER).await();
      }
      secrets.add(new Secret(token.strip()));
      Redactor redactor = new Redactor(secrets);
      DataLensClient api = new DataLensClient(vertx, client, config.endpoint(), config.organizationId(), token.strip(), retry, redactor);
      Reconciler reconciler = new Reconciler(api, config, environment, definitions, retry, line -> out.accept(redactor.redact(line)));
      switch (command) {
        case "plan" -> {
          out.accept("plan for " + environment + ", workbook \"" + config.workbook() + "\":");
          Reconciler.Summary s = reconciler.reconcile(target, null, rotate, false);
          out.accept(s.created() + " to create, " + s.updated() + " to update, " + s.unchanged() + " unchanged");
        }
        case "apply" -> {
          out.accept("apply for " + environment + ", workbook \"" + config.workbook() + "\":");
          Reconciler.Summary s = reconciler.reconcile(target, password, rotate, true);
          out.accept(s.created() + " created, " + s.updated() + " updated, " + s.unchanged() + " unchanged");
          // The address's form is DataLens's usual one; the API does not return it.
          out.accept("dashboard: https://datalens.yandex.cloud/" + s.dashboardId());
        }
        case "destroy" -> {
          out.accept("destroy for " + environment + ", workbook \"" + config.workbook() + "\":");
          Reconciler.Summary s = reconciler.destroy(Bodies.connectionName(config.database()));
          out.accept(s.deleted() + " deleted");
        }
        default -> {
          Path dir = exportDir == null ? Path.of("target", "datalens-export", environment) : exportDir;
          out.accept("export of " + environment + ", workbook \"" + config.workbook() + "\" to " + dir + ":");
          reconciler.export(dir);
        }
      }
      return 0;
    } catch (DataLensException | ConfigException e) {
      err.accept("DataLens " + command + " failed: " + new Redactor(secrets).redact(e.getMessage()));
      return 1;
    } finally {
      client.close();
    }
  }
}
