package dev.finnhubstream;

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
}
