package dev.finnhubstream.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one definition of the Kafka record ({@code record.fields} in {@code conf/app.json}): field names,
 * logical types and which fields form the deduplication key downstream. The service checks at start-up
 * that it writes exactly this; Terraform builds the Data Transfer parser schema from it; the ClickHouse
 * schemas are tested against it.
 */
public record RecordConfig(List<Field> fields) {

  /** Logical types; each consumer maps them (Data Transfer: UTF8/INT64/DOUBLE/ANY/INT32, ClickHouse: its columns). */
  public static final List<String> TYPES = List.of("string", "int64", "int32", "float64", "array<string>");

  /** One field of the record. */
  public record Field(String name, String type, boolean key) {
  }

  public RecordConfig {
    fields = List.copyOf(fields);
  }

  static RecordConfig from(ConfigSection s) {
    JsonArray array = s.objectList(ConfigKeys.RECORD_FIELDS);
    List<Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      JsonObject f = array.getJsonObject(i);
      String where = "fields[" + i + "]";
      if (!Set.of("name", "type", "key").equals(f.fieldNames())) {
        throw s.invalid(ConfigKeys.RECORD_FIELDS, where + " has keys " + f.fieldNames(), "give every field exactly \"name\", \"type\" and \"key\"");
      }
      if (!(f.getValue("name") instanceof String name) || !name.matches("[a-z][a-z0-9_]*")) {
        throw s.invalid(ConfigKeys.RECORD_FIELDS, where + ".name is not a snake_case string", "use names like trade_ts_ms");
      }
      if (!(f.getValue("type") instanceof String type) || !TYPES.contains(type)) {
        throw s.invalid(ConfigKeys.RECORD_FIELDS, where + ".type is not one of " + TYPES, "use one of " + String.join(", ", TYPES));
      }
      if (!(f.getValue("key") instanceof Boolean key)) {
        throw s.invalid(ConfigKeys.RECORD_FIELDS, where + ".key is not a boolean", "use true or false");
      }
      if (!names.add(name)) {
        throw s.invalid(ConfigKeys.RECORD_FIELDS, "field \"" + name + "\" is listed twice", "list each field once");
      }
      fields.add(new Field(name, type, key));
    }
    if (fields.isEmpty()) {
      throw s.invalid(ConfigKeys.RECORD_FIELDS, "no fields", "list the record's fields");
    }
    return new RecordConfig(fields);
  }

  /** The names, in order. */
  public List<String> names() {
    return fields.stream().map(Field::name).toList();
  }
}
