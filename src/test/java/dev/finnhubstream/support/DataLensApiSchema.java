package dev.finnhubstream.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The DataLens Public API's request schemas ({@code src/test/resources/datalens/datalens-api-schema.json}, a reviewed
 * extract of the API's OpenAPI 3.1 spec; see {@code /work/shared/reference/datalens-api-schema.md}) with the spec's
 * known defects patched by the file's own {@code overrides}, and a JSON Schema draft 2020-12 validator per operation.
 * The DataLens tests validate every body the tool builds with it, and the fake API validates every body it receives.
 */
public final class DataLensApiSchema {

  public static final Path FILE = Path.of("src", "test", "resources", "datalens", "datalens-api-schema.json");

  private final JsonObject root;
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();

  private DataLensApiSchema(JsonObject root) {
    this.root = root;
  }

  /** The file with every override applied; a missing file or a failing override {@code test} op fails loudly. */
  public static DataLensApiSchema load() {
    return load(null);
  }

  /** Like {@link #load()}, leaving out the override with this id (to show it is still needed). */
  public static DataLensApiSchema load(String skippedOverride) {
    JsonObject file;
    try {
      file = new JsonObject(Files.readString(FILE));
    } catch (IOException e) {
      throw new AssertionError("the DataLens API schema is missing: " + FILE.toAbsolutePath(), e);
    }
    JsonObject patched = file.copy();
    for (Object o : file.getJsonArray("overrides")) {
      JsonObject override = (JsonObject) o;
      if (!override.getString("id").equals(skippedOverride)) {
        for (Object op : override.getJsonArray("json_patch")) {
          apply(patched, (JsonObject) op, override.getString("id"));
        }
      }
    }
    return new DataLensApiSchema(patched);
  }

  /** The API version the schema describes ({@code api.version}). */
  public String version() {
    return root.getJsonObject("api").getString("version");
  }

  /** The operations the file describes. */
  public java.util.Set<String> operations() {
    return root.getJsonObject("operations").fieldNames();
  }

  /** The errors of {@code body} as a request of {@code operation}; empty when valid. */
  public List<String> errors(String operation, JsonObject body) {
    Validator validator = validators.computeIfAbsent(operation, op -> {
      JsonObject o = root.getJsonObject("operations").getJsonObject(op);
      if (o == null) {
        throw new AssertionError("operation " + op + " is not in " + FILE);
      }
      JsonObject wrapper = o.getJsonObject("request").getJsonObject("schema").copy()
        .put("$defs", root.getJsonObject("$defs"))
        .put("$schema", "https://json-schema.org/draft/2020-12/schema");
      return Validator.create(JsonSchema.of(wrapper), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri("https://datalens.invalid/").setOutputFormat(OutputFormat.Basic));
    });
    OutputUnit result = validator.validate(body);
    if (Boolean.TRUE.equals(result.getValid())) {
      return List.of();
    }
    List<OutputUnit> errors = result.getErrors();
    if (errors == null || errors.isEmpty()) {
      return List.of(operation + ": invalid (" + result.getError() + ")");
    }
    return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getError()).collect(Collectors.toList());
  }

  /** One RFC 6902 operation (test, remove, replace) on a JSON Pointer. */
  private static void apply(JsonObject doc, JsonObject op, String id) {
    String[] parts = op.getString("path").substring(1).split("/", -1);
    Object parent = doc;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = child(parent, unescape(parts[i]));
    }
    String last = unescape(parts[parts.length - 1]);
    Object current = parent instanceof JsonObject o ? o.getValue(last) : ((JsonArray) parent).getValue(Integer.parseInt(last));
    switch (op.getString("op")) {
      case "test" -> {
        if (!java.util.Objects.equals(current, op.getValue("value"))) {
          throw new AssertionError("override " + id + ": test of " + op.getString("path") + " failed: the spec changed, review the override");
        }
      }
      case "remove" -> {
        if (parent instanceof JsonObject o) {
          o.remove(last);
        } else {
          ((JsonArray) parent).remove(Integer.parseInt(last));
        }
      }
      case "replace" -> {
        if (parent instanceof JsonObject o) {
          o.put(last, op.getValue("value"));
        } else {
          ((JsonArray) parent).set(Integer.parseInt(last), op.getValue("value"));
        }
      }
      default -> throw new AssertionError("override " + id + ": unsupported op " + op.getString("op"));
    }
  }

  private static Object child(Object parent, String key) {
    return parent instanceof JsonObject o ? o.getValue(key) : ((JsonArray) parent).getValue(Integer.parseInt(key));
  }

  private static String unescape(String part) {
    return part.replace("~1", "/").replace("~0", "~");
  }
}
