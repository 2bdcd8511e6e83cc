package dev.finnhubstream.support;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Debian's real {@code chromium}, headless, driven over the Chrome DevTools Protocol with the JDK's own
 * WebSocket client: load a page, wait until its live DOM shows what a test expects, take a screenshot. Installed by
 * {@code ci/install-test-tools.sh}; flags as in local-services.md ({@code --no-sandbox} because CI runs as root).
 *
 * <p>A page fills itself in from scripts and fetches, so a test never reads it once: {@link #awaitPage} reads it
 * again and again until the elements exist and show what the test waits for, and fails with the last reading
 * only after a generous deadline. A slow machine then makes the test slower, never red.
 */
public final class HeadlessChromium implements AutoCloseable {

  /** One DevTools answer, and the start of the browser. */
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** How long a page may take to show what a test waits for: generous, for a loaded 2-core machine. */
  public static final Duration PAGE_DEADLINE = Duration.ofSeconds(90);
  private static final long POLL_MS = 200;

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  public static HeadlessChromium start(int width, int height) throws Exception {
    String binary = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
    if (binary == null) {
      throw new AssertionError("chromium is missing: run ci/install-test-tools.sh (apt-get install chromium)");
    }
    Path profile = Files.createTempDirectory("chromium-profile");
    Process process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0", "--window-size=" + width + "," + height, "about:blank")
      .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        process.destroyForcibly();
        throw new AssertionError("chromium did not open its DevTools port; log: " + Files.readString(profile.resolve("chromium.log")));
      }
      Thread.sleep(100);
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
    HttpClient http = HttpClient.newHttpClient();
    String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
      HttpResponse.BodyHandlers.ofString()).body();
    String pageUrl = null;
    for (Object o : new io.vertx.core.json.JsonArray(targets)) {
      JsonObject t = (JsonObject) o;
      if ("page".equals(t.getString("type"))) {
        pageUrl = t.getString("webSocketDebuggerUrl");
        break;
      }
    }
    if (pageUrl == null) {
      process.destroyForcibly();
      throw new AssertionError("chromium has no page target: " + targets);
    }
    HeadlessChromium[] self = new HeadlessChromium[1];
    WebSocket ws = http.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(URI.create(pageUrl), new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          JsonObject message = new JsonObject(text.toString());
          text.setLength(0);
          Integer id = message.getInteger("id");
          CompletableFuture<JsonObject> f = id == null ? null : self[0].pending.remove(id);
          if (f != null) {
            f.complete(message);
          }
        }
        webSocket.request(1);
        return null;
      }
    }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    self[0] = new HeadlessChromium(process, profile, ws);
    return self[0];
  }

  /** Sends one DevTools command and waits for its result; a protocol error fails. */
  private JsonObject call(String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    pending.put(id, answer);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true).get();
    JsonObject message = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (message.containsKey("error")) {
      throw new AssertionError(method + " failed: " + message.getJsonObject("error"));
    }
    return message.getJsonObject("result");
  }

  /** Loads {@code url} and waits until that document (not the one before it) has loaded and run its scripts. */
  public void navigate(String url) throws Exception {
    call("Page.navigate", new JsonObject().put("url", url));
    String target = new JsonObject().put("url", url).encode();
    awaitPage("the page " + url + " to load",
      "location.href === new URL(" + target + ".url).href && document.readyState === 'complete' ? '{}' : null", page -> true);
  }

  /**
   * Reads the page until it shows what the caller waits for, and returns that reading.
   *
   * @param what  what is awaited, for the failure message
   * @param read  a JavaScript expression giving a JSON object as a string, or {@code null} while an element it
   *              reads is missing: it must check every element it reads, as the page may still be loading
   * @param shown true once the reading shows what is awaited
   * @throws AssertionError after {@link #PAGE_DEADLINE}, with the last reading, or why there was none
   */
  public JsonObject awaitPage(String what, String read, Predicate<JsonObject> shown) throws Exception {
    long deadline = System.nanoTime() + PAGE_DEADLINE.toNanos();
    String last = "no reading yet";
    while (true) {
      try {
        Object value = evaluate(read);
        if (value == null) {
          last = "the elements are not there yet (the read gave null)";
        } else {
          JsonObject page = new JsonObject((String) value);
          if (shown.test(page)) {
            return page;
          }
          last = "last reading " + page.encode();
        }
      } catch (AssertionError e) {
        // Between documents (a navigation, a reload) the script has no page to run in: read again.
        last = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Chromium did not show " + what + " within " + PAGE_DEADLINE.toSeconds() + " s; " + last);
      }
      Thread.sleep(POLL_MS);
    }
  }

  /** The value of a JavaScript expression evaluated in the page (JSON-serializable values only). */
  private Object evaluate(String expression) throws Exception {
    JsonObject result = call("Runtime.evaluate", new JsonObject().put("expression", expression).put("returnByValue", true));
    if (result.containsKey("exceptionDetails")) {
      throw new AssertionError("page script failed: " + result.getJsonObject("exceptionDetails").encode());
    }
    return result.getJsonObject("result").getValue("value");
  }

  public void screenshot(Path file) throws Exception {
    JsonObject result = call("Page.captureScreenshot", new JsonObject().put("format", "png").put("captureBeyondViewport", true));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(result.getString("data")));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    } catch (RuntimeException ignored) {
      // the browser is going away anyway
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
