package dev.finnhubstream;

import dev.finnhubstream.config.ConfigException;
import dev.finnhubstream.config.ConfigResolver;
import dev.finnhubstream.config.EnvironmentVariables;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the command-line tools ({@code ConfigReport}, {@code SchemaTool}, the emulator's {@code main}) print, through
 * SLF4J like everything else. Their standard output is data that scripts read (a JSON report, an SQL script), so
 * {@code logback.xml} routes these two loggers alone, unadorned: {@link #output} to stdout, {@link #message} (usage
 * and errors) to stderr, neither to the service's timestamped log lines.
 */
public final class ToolConsole {

  private static final Logger OUTPUT = LoggerFactory.getLogger("finnhub-stream.tool.output");
  private static final Logger MESSAGES = LoggerFactory.getLogger("finnhub-stream.tool.messages");

  private ToolConsole() {
  }

  /** The tool's result, on stdout as it is, followed by a line break. */
  public static void output(String data) {
    OUTPUT.info("{}", data);
  }

  /** Usage or an error for the person at the terminal, on stderr. */
  public static void message(String text) {
    MESSAGES.info("{}", text);
  }

  /** The configuration file a tool reads ({@link ConfigResolver#configFile}), parsed; the service's errors otherwise. */
  public static JsonObject configFile(Map<String, String> env) {
    String file = ConfigResolver.configFile(env);
    try {
      return new JsonObject(Files.readString(Path.of(file)));
    } catch (IOException e) {
      throw new ConfigException(EnvironmentVariables.APP_CONFIG, "config file " + file + " cannot be read (" + e + ")",
        "run from the repository root, or export APP_CONFIG=/path/to/app.json");
    } catch (DecodeException e) {
      throw ConfigResolver.invalidJson(file, e.getMessage());
    }
  }
}
