package dev.finnhubstream.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory DataLens Public API on 127.0.0.1 (a random port), for the DataLens tool's tests. It keeps state
 * (workbooks, and their connections, QL charts and dashboards), checks every request as the real one is documented
 * to (the API version, organization and bearer token headers; the body against {@link DataLensApiSchema}), enforces
 * unique names with 409, pages lists two items at a time, and answers with an injected status on demand. It tests the
 * tool's decisions, not DataLens's behaviour.
 */
public final class FakeDataLens {

  public static final int PAGE = 2;
  /** The metadata service's token path, which this fake also serves. */
  public static final String METADATA_TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token";

  /** A stored entry. */
  public static final class Entry {
    public final String id;
    public final String workbookId;
    public final String scope;
    public final String name;
    public String type;
    public JsonObject data;
    public JsonObject annotation;
    public int revision = 1;

    Entry(String id, String workbookId, String scope, String name, String type, JsonObject data, JsonObject annotation) {
      this.id = id;
      this.workbookId = workbookId;
      this.scope = scope;
      this.name = name;
      this.type = type;
      this.data = data;
      this.annotation = annotation;
    }
  }

  private final DataLensApiSchema schema = DataLensApiSchema.load();
  private final String organization;
  private final String token;
  private HttpServer server;
  private final AtomicInteger ids = new AtomicInteger();

  /** Workbook id → title. */
  public final Map<String, String> workbooks = new ConcurrentHashMap<>();
  /** Entry id → entry, in creation order. */
  public final Map<String, Entry> entries = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  /** Connection id → the password it was last given. */
  public final Map<String, String> passwords = new ConcurrentHashMap<>();
  /** Every write ({@code create*}, {@code update*}, {@code delete*}), as {@code "<operation> <name or id>"}. */
  public final List<String> writes = new CopyOnWriteArrayList<>();
  /** Every call, by operation. */
  public final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** Requests refused for their headers or body: a correct tool leaves this empty. */
  public final List<String> refused = new CopyOnWriteArrayList<>();
  /** Statuses to answer instead of handling, per operation, in order. */
  private final Map<String, Deque<Integer>> faults = new ConcurrentHashMap<>();
  /** Operations whose next call is carried out but answered with 500 (the answer lost on the way). */
  private final Map<String, AtomicInteger> lostAnswers = new ConcurrentHashMap<>();

  public FakeDataLens(String organization, String token) {
    this.organization = organization;
    this.token = token;
  }

  public void start(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
  }

  public int port() {
    return server.actualPort();
  }

  /** The next {@code times} calls of {@code operation} are answered {@code status} without being handled. */
  public void fail(String operation, int status, int times) {
    Deque<Integer> q = faults.computeIfAbsent(operation, k -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      q.add(status);
    }
  }

  /** The next call of {@code operation} is carried out, but answered with HTTP 500. */
  public void loseAnswer(String operation) {
    lostAnswers.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
  }

  public int calls(String operation) {
    AtomicInteger n = calls.get(operation);
    return n == null ? 0 : n.get();
  }

  /** Adds an entry as a person would in the UI (no request, no write recorded). */
  public Entry seed(String workbookId, String scope, String name, String type) {
    Entry e = new Entry("seed" + ids.incrementAndGet(), workbookId, scope, name, type, new JsonObject(), new JsonObject());
    entries.put(e.id, e);
    return e;
  }

  public String seedWorkbook(String title) {
    String id = "wb" + ids.incrementAndGet();
    workbooks.put(id, title);
    return id;
  }

  public List<Entry> entriesOf(String workbookId, String scope) {
    synchronized (entries) {
      return entries.values().stream().filter(e -> e.workbookId.equals(workbookId) && (scope == null || e.scope.equals(scope))).toList();
    }
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(buffer -> {
      String path = request.path();
      if (path.equals(METADATA_TOKEN_PATH)) {
        // The VM's metadata service, on the same port: the tool's token when YC_TOKEN is unset.
        calls.computeIfAbsent("metadata", k -> new AtomicInteger()).incrementAndGet();
        boolean flavored = "Google".equals(request.getHeader("Metadata-Flavor"));
        reply(request, flavored ? 200 : 403, flavored ? new JsonObject().put("access_token", token).put("expires_in", 3600) : new JsonObject());
        return;
      }
      String operation = path.startsWith("/rpc/") ? path.substring(5) : path;
      calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
      if (!"POST".equals(request.method().name()) || !schema.operations().contains(operation)) {
        reply(request, 404, new JsonObject().put("message", "no such operation " + operation));
        return;
      }
      if (!schema.version().equals(request.getHeader("x-dl-api-version")) || !organization.equals(request.getHeader("x-dl-org-id"))
        || !String.valueOf(request.getHeader("Content-Type")).startsWith("application/json")) {
        refused.add(operation + ": headers " + request.headers().names());
        reply(request, 400, new JsonObject().put("code", "ERR.BAD_HEADERS"));
        return;
      }
      Deque<Integer> q = faults.get(operation);
      Integer fault = q == null ? null : q.poll();
      if (fault != null) {
        // An error body that echoes the request, as some servers do: the tool must not print it.
        reply(request, fault, new JsonObject().put("code", "ERR.INJECTED").put("message", "injected " + fault + " " + buffer.toString()));
        return;
      }
      if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
        reply(request, 401, new JsonObject().put("code", "ERR.UNAUTHORIZED").put("message", "bad token"));
        return;
      }
      JsonObject body;
      try {
        body = buffer.toJsonObject();
      } catch (RuntimeException e) {
        refused.add(operation + ": not JSON");
        reply(request, 400, new JsonObject().put("code", "ERR.BAD_JSON"));
        return;
      }
      List<String> errors = schema.errors(operation, body);
      if (!errors.isEmpty()) {
        refused.add(operation + ": " + errors);
        reply(request, 400, new JsonObject().put("code", "ERR.VALIDATION").put("message", String.join("; ", errors)));
        return;
      }
      Answer answer;
      synchronized (this) {
        answer = handle(operation, body);
      }
      AtomicInteger lost = lostAnswers.get(operation);
      if (answer.status == 200 && lost != null && lost.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        reply(request, 500, new JsonObject().put("code", "ERR.LOST"));
        return;
      }
      reply(request, answer.status, answer.body);
    });
  }

  private record Answer(int status, JsonObject body) {
  }

  private static Answer ok(JsonObject body) {
    return new Answer(200, body);
  }

  private static Answer error(int status, String code) {
    return new Answer(status, new JsonObject().put("code", code).put("message", code));
  }

  private Answer handle(String op, JsonObject b) {
    switch (op) {
      case "getWorkbooksList": {
        String filter = b.getString("filterString", "").toLowerCase(Locale.ROOT);
        List<JsonObject> all = workbooks.entrySet().stream().filter(e -> e.getValue().toLowerCase(Locale.ROOT).contains(filter))
          .sorted(Map.Entry.comparingByKey()).map(e -> workbook(e.getKey(), e.getValue())).toList();
        return ok(page(all, b, "workbooks"));
      }
      case "createWorkbook": {
        String title = b.getString("title");
        if (workbooks.values().stream().anyMatch(t -> t.equalsIgnoreCase(title))) {
          return error(409, "ERR.US.WORKBOOK_ALREADY_EXISTS");
        }
        String id = "wb" + ids.incrementAndGet();
        workbooks.put(id, title);
        writes.add(op + " " + title);
        return ok(workbook(id, title).put("operation", new JsonObject()));
      }
      case "deleteWorkbook": {
        String id = b.getString("workbookId");
        if (workbooks.remove(id) == null) {
          return error(404, "ERR.US.WORKBOOK_NOT_EXISTS");
        }
        entries.values().removeIf(e -> e.workbookId.equals(id));
        writes.add(op + " " + id);
        return ok(new JsonObject());
      }
      case "getWorkbookEntries": {
        String wb = b.getString("workbookId");
        if (!workbooks.containsKey(wb)) {
          return error(404, "ERR.US.WORKBOOK_NOT_EXISTS");
        }
        Object scope = b.getValue("scope");
        List<JsonObject> list = entriesOf(wb, scope instanceof String s ? s : null).stream().map(this::listed).toList();
        return ok(page(list, b, "entries"));
      }
      case "createConnection": {
        return create(b.getString("workbook_id"), "connection", b.getString("name"), "clickhouse", connectionFields(b), null, op,
          e -> {
            passwords.put(e.id, b.getString("password"));
            return new JsonObject().put("id", e.id);
          });
      }
      case "getConnection": {
        Entry e = find(b.getString("connectionId"), "connection");
        return e == null ? error(404, "ERR.DS_API.CONNECTION_NOT_FOUND")
          : ok(e.data.copy().put("id", e.id).put("name", e.name).put("db_type", e.type).put("workbook_id", e.workbookId));
      }
      case "updateConnection": {
        Entry e = find(b.getString("connectionId"), "connection");
        if (e == null) {
          return error(404, "ERR.DS_API.CONNECTION_NOT_FOUND");
        }
        JsonObject data = b.getJsonObject("data");
        e.data = connectionFields(data);
        if (data.getString("password") != null) {
          passwords.put(e.id, data.getString("password"));
        }
        e.revision++;
        writes.add(op + " " + e.name);
        return ok(new JsonObject());
      }
      case "deleteConnection":
        return delete(b.getString("connectionId"), "connection", op);
      case "createQLChart": {
        JsonObject data = b.getJsonObject("data");
        String visualization = data.getJsonObject("visualization", new JsonObject()).getString("id", "");
        String type = visualization.equals("flatTable") ? "table_ql_node" : "graph_ql_node";
        return create(b.getString("workbookId"), "widget", b.getString("name"), type, data, b.getJsonObject("annotation"), op,
          e -> new JsonObject().put("entryId", e.id).put("key", e.workbookId + "/" + e.name).put("revId", "r" + e.revision));
      }
      case "getQLChart": {
        Entry e = find(b.getString("chartId"), "widget");
        return e == null ? error(404, "ERR.US.ENTRY_NOT_FOUND") : ok(chart(e));
      }
      case "updateQLChart": {
        Entry e = find(b.getString("entryId"), "widget");
        if (e == null) {
          return error(404, "ERR.US.ENTRY_NOT_FOUND");
        }
        e.data = b.getJsonObject("data");
        e.annotation = b.getJsonObject("annotation", e.annotation);
        e.revision++;
        writes.add(op + " " + e.name);
        return ok(chart(e));
      }
      case "deleteQLChart":
        return delete(b.getString("chartId"), "widget", op);
      case "createDashboard": {
        JsonObject entry = b.getJsonObject("entry");
        return create(entry.getString("workbookId"), "dash", entry.getString("name"), "dash", entry.getJsonObject("data"),
          entry.getJsonObject("annotation"), op, e -> new JsonObject().put("entry", dashboard(e)));
      }
      case "getDashboard": {
        Entry e = find(b.getString("dashboardId"), "dash");
        return e == null ? error(404, "ERR.US.ENTRY_NOT_FOUND") : ok(new JsonObject().put("entry", dashboard(e)));
      }
      case "updateDashboard": {
        JsonObject entry = b.getJsonObject("entry");
        Entry e = find(entry.getString("entryId"), "dash");
        if (e == null) {
          return error(404, "ERR.US.ENTRY_NOT_FOUND");
        }
        if (entry.getString("revId") != null && !entry.getString("revId").equals("r" + e.revision)) {
          return error(409, "ERR.US.ENTRY_REVISION_CONFLICT");
        }
        e.data = entry.getJsonObject("data");
        e.annotation = entry.getJsonObject("annotation", e.annotation);
        e.revision++;
        writes.add(op + " " + e.name);
        return ok(new JsonObject().put("entry", dashboard(e)));
      }
      case "deleteDashboard":
        return delete(b.getString("dashboardId"), "dash", op);
      default:
        return error(404, "ERR.NOT_IN_FAKE");
    }
  }

  private Answer create(String workbookId, String scope, String name, String type, JsonObject data, JsonObject annotation, String op,
                        java.util.function.Function<Entry, JsonObject> answer) {
    if (workbookId == null || !workbooks.containsKey(workbookId)) {
      return error(404, "ERR.US.WORKBOOK_NOT_EXISTS");
    }
    if (entriesOf(workbookId, scope).stream().anyMatch(e -> e.name.equals(name))) {
      return error(409, "ERR.US.DB.UNIQUE_VIOLATION");
    }
    Entry e = new Entry("e" + ids.incrementAndGet(), workbookId, scope, name, type, data, annotation == null ? new JsonObject() : annotation);
    entries.put(e.id, e);
    writes.add(op + " " + name);
    return ok(answer.apply(e));
  }

  private Answer delete(String id, String scope, String op) {
    Entry e = find(id, scope);
    if (e == null) {
      return error(404, "ERR.US.ENTRY_NOT_FOUND");
    }
    entries.remove(id);
    writes.add(op + " " + e.name);
    return ok(new JsonObject());
  }

  private Entry find(String id, String scope) {
    Entry e = id == null ? null : entries.get(id);
    return e != null && e.scope.equals(scope) ? e : null;
  }

  private static JsonObject connectionFields(JsonObject body) {
    JsonObject fields = body.copy();
    for (String key : List.of("password", "type", "name", "workbook_id", "dir_path")) {
      fields.remove(key);
    }
    return fields;
  }

  private JsonObject listed(Entry e) {
    String key = e.workbookId + "/" + e.name;
    return new JsonObject().put("entryId", e.id).put("scope", e.scope).put("type", e.type).put("key", key.toLowerCase(Locale.ROOT))
      .put("displayKey", key).put("revId", "r" + e.revision).put("workbookId", e.workbookId).put("meta", new JsonObject());
  }

  private JsonObject chart(Entry e) {
    return new JsonObject().put("entryId", e.id).put("key", e.workbookId + "/" + e.name).put("type", e.type).put("revId", "r" + e.revision)
      .put("data", e.data).put("annotation", e.annotation).put("workbookId", e.workbookId);
  }

  private JsonObject dashboard(Entry e) {
    return new JsonObject().put("entryId", e.id).put("key", e.workbookId + "/" + e.name).put("revId", "r" + e.revision)
      .put("data", e.data).put("annotation", e.annotation).put("meta", new JsonObject()).put("workbookId", e.workbookId);
  }

  private static JsonObject workbook(String id, String title) {
    return new JsonObject().put("workbookId", id).put("title", title).put("collectionId", null).put("description", "")
      .put("tenantId", "t").put("meta", new JsonObject()).put("status", "active");
  }

  /** One page of at most {@link #PAGE} items, whatever size was asked, with a next-page token while more remain. */
  private static JsonObject page(List<JsonObject> all, JsonObject request, String key) {
    int page = request.getInteger("page", 0);
    int size = Math.min(PAGE, request.getInteger("pageSize", PAGE));
    List<JsonObject> slice = new ArrayList<>(all.subList(Math.min(all.size(), page * size), Math.min(all.size(), (page + 1) * size)));
    JsonObject out = new JsonObject().put(key, new JsonArray(slice));
    if ((page + 1) * size < all.size()) {
      out.put("nextPageToken", Integer.toString(page + 1));
    }
    return out;
  }

  private static void reply(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("x-request-id", "req-fake")
      .end(body.encode());
  }
}
