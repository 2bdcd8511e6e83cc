package dev.finnhubstream.container;

import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a Dockerfile parser to run an image's contract without a Docker engine: stages, their
 * instructions (continuation lines joined, comments dropped), ARG defaults expanded in FROM, exec-form
 * (JSON) arguments, ENV pairs, COPY flags, HEALTHCHECK options. Anything it does not understand fails.
 */
public record Dockerfile(List<Stage> stages) {

  /** One instruction: the keyword (upper case) and the rest of its (joined) line. */
  public record Instruction(String keyword, String arguments) {

    /** The exec-form arguments ({@code ["a", "b"]}). */
    public List<String> execForm() {
      if (!arguments.startsWith("[")) {
        throw new IllegalStateException(keyword + " is not in exec form: " + arguments);
      }
      return new JsonArray(arguments).stream().map(String.class::cast).toList();
    }
  }

  /** A COPY: its flags ({@code from}, {@code chmod}, ...), sources and destination. */
  public record Copy(Map<String, String> flags, List<String> sources, String destination) {
  }

  /** A HEALTHCHECK: its options ({@code interval}, ...) and the command in exec form. */
  public record HealthCheck(Map<String, String> options, List<String> command) {
  }

  /** One stage: its base image, optional name, and instructions in order. */
  public record Stage(String image, String name, List<Instruction> instructions) {

    public List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    public Optional<Instruction> last(String keyword) {
      List<Instruction> found = all(keyword);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }

    /** Every ENV pair, later ones winning. */
    public Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      for (Instruction i : all("ENV")) {
        env.putAll(pairs(i.arguments()));
      }
      return env;
    }

    public String workdir() {
      return last("WORKDIR").map(Instruction::arguments).orElse("/");
    }

    public List<Copy> copies() {
      List<Copy> copies = new ArrayList<>();
      for (Instruction i : all("COPY")) {
        Map<String, String> flags = new LinkedHashMap<>();
        List<String> words = new ArrayList<>(List.of(i.arguments().trim().split("\\s+")));
        while (!words.isEmpty() && words.get(0).startsWith("--")) {
          String[] flag = words.remove(0).substring(2).split("=", 2);
          flags.put(flag[0], flag.length > 1 ? flag[1] : "");
        }
        String destination = words.remove(words.size() - 1);
        copies.add(new Copy(flags, words, destination));
      }
      return copies;
    }

    public Optional<HealthCheck> healthCheck() {
      return last("HEALTHCHECK").map(i -> {
        Map<String, String> options = new LinkedHashMap<>();
        String rest = i.arguments().trim();
        Matcher m = Pattern.compile("^--([a-z-]+)=(\\S+)\\s+").matcher(rest);
        while (m.find()) {
          options.put(m.group(1), m.group(2));
          rest = rest.substring(m.end());
          m = Pattern.compile("^--([a-z-]+)=(\\S+)\\s+").matcher(rest);
        }
        if (!rest.startsWith("CMD ")) {
          throw new IllegalStateException("HEALTHCHECK without CMD: " + i.arguments());
        }
        return new HealthCheck(options, new Instruction("CMD", rest.substring(4).trim()).execForm());
      });
    }
  }

  public Stage stage(String name) {
    return stages.stream().filter(s -> name.equals(s.name())).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("no stage " + name));
  }

  public Stage finalStage() {
    return stages.get(stages.size() - 1);
  }

  public static Dockerfile parse(Path file) throws IOException {
    List<String> logical = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.strip();
      if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (!current.isEmpty() && trimmed.startsWith("#")) {
        continue; // a comment inside a continued instruction
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      logical.add(current.append(trimmed).toString());
      current.setLength(0);
    }
    Map<String, String> args = new LinkedHashMap<>();
    List<Stage> stages = new ArrayList<>();
    List<Instruction> instructions = null;
    for (String line : logical) {
      String[] parts = line.split("\\s+", 2);
      String keyword = parts[0].toUpperCase();
      String rest = parts.length > 1 ? parts[1] : "";
      if (keyword.equals("ARG") && stages.isEmpty()) {
        String[] kv = rest.split("=", 2);
        args.put(kv[0], kv.length > 1 ? kv[1] : "");
        continue;
      }
      if (keyword.equals("FROM")) {
        String[] words = rest.split("\\s+");
        String image = expand(words[0], args);
        String name = words.length == 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
        instructions = new ArrayList<>();
        stages.add(new Stage(image, name, instructions));
        continue;
      }
      if (instructions == null) {
        throw new IllegalStateException("instruction before FROM: " + line);
      }
      instructions.add(new Instruction(keyword, rest));
    }
    return new Dockerfile(List.copyOf(stages));
  }

  private static String expand(String value, Map<String, String> args) {
    Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(m.group(1), "")));
    }
    return m.appendTail(out).toString();
  }

  /** {@code KEY=value KEY2="two words"} (the only ENV form used here). */
  static Map<String, String> pairs(String text) {
    Map<String, String> pairs = new LinkedHashMap<>();
    Matcher m = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"((?:[^\"\\\\]|\\\\.)*)\"|\\S*)\\s*").matcher(text.trim());
    int end = 0;
    while (m.lookingAt()) {
      pairs.put(m.group(1), m.group(3) != null ? m.group(3).replaceAll("\\\\(.)", "$1") : m.group(2));
      end = m.end();
      m.region(end, text.trim().length());
    }
    if (end != text.trim().length()) {
      throw new IllegalStateException("unsupported ENV form: " + text);
    }
    return pairs;
  }
}
