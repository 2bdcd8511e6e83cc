package dev.finnhubstream.config;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One key of {@code conf/app.json}, declared once in {@link ConfigKeys}: everything the service, the tools,
 * Terraform's checks and the generated reference ({@code docs/config-reference.md}) know about it.
 *
 * @param section    the section it lives in, e.g. {@code kafka}
 * @param name       its name inside the section, e.g. {@code topic}
 * @param type       the JSON shape it must have
 * @param presence   where it must be present
 * @param readers    who reads it; a key nobody reads is dead and CI refuses it
 * @param min        smallest allowed value ({@link Type#INTEGER} only)
 * @param max        largest allowed value ({@link Type#INTEGER} only)
 * @param allowed    the only values allowed ({@link Type#STRING}), or empty
 * @param pattern    what a value must match, whole ({@link Type#STRING}), or {@code null}
 * @param problem    what a value that does not match is, e.g. "is not a valid topic name" (with {@code pattern})
 * @param fix        how to fix such a value (with {@code pattern})
 * @param variable   the environment variable that overrides it, or {@code null}
 * @param doc        what it means, one or two sentences, for the reference
 */
public record ConfigKey(String section, String name, Type type, Presence presence, Set<Reader> readers, long min,
                        long max, List<String> allowed, Pattern pattern, String problem, String fix, String variable,
                        String doc) {

  /** The JSON shape of a value. */
  public enum Type {
    STRING, INTEGER, BOOLEAN, STRING_LIST, OBJECT_LIST, STRING_MAP;

    /** As the reference spells it: "string list". */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  /** Where a key must be present once its section is merged. */
  public enum Presence {
    /** In every environment. */
    REQUIRED("every environment"),
    /** In every environment Terraform deploys (one with a {@code backend} section); the local one may lack it. */
    DEPLOYED("deployed environments"),
    /** Nowhere: absent means the documented behaviour. */
    OPTIONAL("optional");

    private final String label;

    Presence(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** Who reads a key. */
  public enum Reader {
    SERVICE, TERRAFORM, SCHEMA_TOOL, DATALENS_TOOL;

    /** One of the project's command-line tools (not the service, not Terraform). */
    public boolean tool() {
      return this == SCHEMA_TOOL || this == DATALENS_TOOL;
    }

    /** As the reference spells it: "schema tool". */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  public ConfigKey {
    readers = Set.copyOf(readers);
    allowed = List.copyOf(allowed);
  }

  /** {@code section.name}, as messages and the reference spell it. */
  public String path() {
    return section + "." + name;
  }

  public boolean readBy(Reader reader) {
    return readers.contains(reader);
  }

  /** Read by one of the project's command-line tools. */
  public boolean readByTool() {
    return readers.stream().anyMatch(Reader::tool);
  }

  /** The rule a value must follow, in words, for messages and the reference; empty when the type says it all. */
  public String rule() {
    if (type == Type.INTEGER) {
      return "an integer from " + min + " to " + max;
    }
    if (!allowed.isEmpty()) {
      return "one of " + String.join(", ", allowed);
    }
    if (pattern != null) {
      return "matches " + pattern.pattern();
    }
    return "";
  }
}
