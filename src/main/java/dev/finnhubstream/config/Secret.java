package dev.finnhubstream.config;

import java.util.Objects;

/**
 * A secret value (Finnhub token, Kafka password). Its {@code toString} never shows the value, so a
 * secret that ends up in a log line, an exception or a JSON summary by accident stays hidden.
 */
public final class Secret {

  private final String value;

  public Secret(String value) {
    this.value = Objects.requireNonNull(value);
  }

  /** The secret itself: only for the one place that must send it (a connect URI, a JAAS config). */
  public String reveal() {
    return value;
  }

  /** Whether the value is empty: a retired key's place in {@code FINNHUB_TOKEN} ({@link FinnhubConfig#RETIRED_KEY}). */
  public boolean isEmpty() {
    return value.isEmpty();
  }

  /** Replaces every occurrence of the secret in {@code text}, e.g. in an exception message from a client library. */
  public String redact(String text) {
    return text == null || value.isEmpty() ? text : text.replace(value, "****");
  }

  @Override
  public String toString() {
    return "****";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other && other.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
