package dev.finnhubstream.log;

import dev.finnhubstream.config.Secret;
import java.util.Collection;
import java.util.List;

/**
 * Hides every secret the process holds in a text before the text leaves it, as a log line, a dead letter or an
 * HTTP answer: a client library's error, a frame echoing what it was sent or a stray config value may carry a key,
 * and a key must reach none of them. The one place that applies a set of {@link Secret}s; each secret does its own
 * replacing.
 */
public final class Redactor {

  private final List<Secret> secrets;

  public Redactor(Collection<Secret> secrets) {
    this.secrets = List.copyOf(secrets);
  }

  /** {@code text} with every occurrence of every secret replaced; {@code null} stays {@code null}. */
  public String redact(String text) {
    String out = text;
    for (Secret s : secrets) {
      out = s.redact(out);
    }
    return out;
  }
}
