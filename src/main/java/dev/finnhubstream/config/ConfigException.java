package dev.finnhubstream.config;

/**
 * A configuration problem that stops start-up. Its message is one line a person can act on: the key
 * (JSON path or environment variable), what is wrong, and how to fix it.
 *
 * <p>It carries no stack trace on purpose: the launcher logs the failure cause, and for a bad setting
 * the useful part is the message, not forty lines of frames.
 */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem, String fix) {
    super(oneLine(key) + ": " + oneLine(problem) + ". Fix: " + oneLine(fix), null, false, false);
    this.key = key;
  }

  /** Longest part of a message: a value echoed back (a 100 KB variable, say) is cut, the line stays readable. */
  static final int MAX_PART_CHARS = 600;

  /**
   * The text with control characters escaped ({@code \n} as {@code \u000a}) and cut at {@link #MAX_PART_CHARS}:
   * messages echo values from the file and the environment, and one of them must not forge log lines or flood the log.
   */
  static String oneLine(String text) {
    String s = String.valueOf(text);
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_PART_CHARS + 32));
    for (int i = 0; i < s.length() && out.length() < MAX_PART_CHARS; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.length() < MAX_PART_CHARS ? out.toString() : out + "…(" + s.length() + " characters)";
  }

  /** The JSON path (e.g. {@code environments.local.finnhub.symbols}) or environment variable at fault. */
  public String key() {
    return key;
  }
}
