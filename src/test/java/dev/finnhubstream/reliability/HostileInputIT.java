package dev.finnhubstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finnhubstream.ingest.FinnhubFrameParser;
import dev.finnhubstream.ingest.FinnhubMessage;
import dev.finnhubstream.support.KafkaTestSupport;
import dev.finnhubstream.support.ServiceConfigs;
import dev.finnhubstream.support.ServiceEnv;
import dev.finnhubstream.support.ServiceProcess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar under bad input from both sides at once, with known secrets: a Finnhub stand-in streams fuzzed frames
 * ({@link FrameFuzzer}) interleaved with valid ones, some carrying the Finnhub key, while hostile clients hit the status
 * endpoint (huge headers and bodies, slowloris connections, too many taps, unknown paths, wrong methods and tokens,
 * path traversal, smuggling-style garbage). Then: every valid trade is in Kafka exactly once, every bad frame or element
 * is one dead letter, the endpoint answered every hostile request with a clear status and stayed healthy within bounded
 * heap, and no secret (raw, URL-encoded or base64) is anywhere: log, endpoints, trade records, dead letters, headers.
 */
class HostileInputIT {

  private static final String TOKEN = "hostile-finnhub-" + System.nanoTime();
  /** With characters that URL and base64 encoding change, so the encoded forms searched differ from the raw ones. */
  private static final String ADMIN = "hostile/admin+token=" + System.nanoTime();
  private static final String KAFKA_PASSWORD = "hostile kafka&pw?" + System.nanoTime();
  private static final int FUZZED_FRAMES = Integer.getInteger("fuzz.e2e.frames", 3_000);
  private static final int MAX_PAYLOAD = 1024;
  private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+]+)");

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private ServiceProcess service;

  @TempDir
  Path tmp;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (service != null) {
      service.close();
    }
    vertx.close().await();
  }

  @Test
  @DisplayName("fuzzed frames and hostile HTTP at once: trades exactly once, bad input dead-lettered, clear refusals, bounded heap, no secret anywhere")
  void hostileInput() throws Exception {
    KafkaTestSupport.requireBroker();
    String topic = KafkaTestSupport.uniqueTopic("it_hostile");
    String dlq = topic + "_dlq";

    // What the stand-in sends, and what the parser (fuzzed on its own in FrameFuzzTest) makes of each frame.
    FrameFuzzer fuzzer = new FrameFuzzer(Long.getLong("fuzz.seed", 11));
    FinnhubFrameParser parser = new FinnhubFrameParser();
    List<String> frames = new ArrayList<>();
    Map<String, Integer> expectedTrades = new HashMap<>();
    long expectedTradeCount = 0;
    long expectedDeadLetters = 0;
    for (int i = 0; i < FUZZED_FRAMES; i++) {
      frames.add(fuzzer.next(FrameFuzzer.Kind.VALID).frame());
      frames.add(i % 100 == 0 ? withSecret(i / 100) : fuzzer.next().frame());
    }
    for (String frame : frames) {
      FinnhubMessage m = parser.parse(frame, 1, "x-");
      if (m instanceof FinnhubMessage.Trades t) {
        for (var trade : t.trades()) {
          expectedTrades.merge(identity(trade.symbol(), trade.tradeTsMs(), trade.price(), trade.volume()), 1, Integer::sum);
        }
        expectedTradeCount += t.trades().size();
        expectedDeadLetters += t.rejected().size();
      } else if (m instanceof FinnhubMessage.Malformed) {
        expectedDeadLetters++;
      }
    }
    AtomicLong sent = new AtomicLong();
    HttpServer finnhub = vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketFrameSize(1 << 22).setMaxWebSocketMessageSize(1 << 22))
      .requestHandler(req -> req.toWebSocket().onSuccess(ws -> ws.textMessageHandler(subscribe -> {
        ws.textMessageHandler(null);
        // ~150 frames a second, so the stream flows during the whole HTTP barrage.
        vertx.setPeriodic(20, id -> {
          for (int i = 0; i < 3 && sent.get() < frames.size(); i++) {
            ws.writeTextMessage(frames.get((int) sent.getAndIncrement()));
          }
          if (sent.get() >= frames.size()) {
            vertx.cancelTimer(id);
          }
        });
      }))).listen(0, "127.0.0.1").await();

    Map<String, String> env = ServiceConfigs.env(finnhub.actualPort(), TOKEN, "AAPL,MSFT", topic);
    env.put("ADMIN_TOKEN", ADMIN);
    env.put("KAFKA_PASSWORD", KAFKA_PASSWORD); // PLAINTEXT locally: accepted, unused, and still never shown
    env.put("APP_CONFIG", ServiceConfigs.write(tmp, Map.of("dead_letter_topic", dlq, "dead_letter_max_payload_bytes", MAX_PAYLOAD)).toString());
    service = ServiceProcess.start(tmp.resolve("service.log"), env);
    int port = Integer.parseInt(service.logMatch("Status endpoint on http://[^:]+:(\\d+)/"));

    // ---- the hostile HTTP barrage, while frames stream in ----
    Map<String, Map<Integer, Integer>> codes = new TreeMap<>();
    List<String> responses = new CopyOnWriteArrayList<>();
    HeapWatch heap = new HeapWatch(port);
    heap.start();
    long barrageStart = System.nanoTime();
    String hugeHeader = "X-Junk: " + "a".repeat(64 * 1024);
    record(codes, "64 KB header", raw(port, "GET /health HTTP/1.1\r\nHost: x\r\n" + hugeHeader + "\r\n\r\n", responses));
    record(codes, "10 KB request line", raw(port, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", responses));
    record(codes, "10 MB body, no token", hugeBody(port, null, responses));
    record(codes, "10 MB body, admin token", hugeBody(port, ADMIN, responses));
    for (String path : List.of("/nowhere", "/debug/eventbus/no.such.address", "/admin", "/symbols", "/.env", "/metrics/../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd", "/status.js/..%2f..%2fpom.xml", "/..;/..;/conf/app.json", "//etc/passwd", "/status-page/../../../pom.xml")) {
      record(codes, "unknown path or traversal", send(port, "GET", path, null, null, responses));
    }
    for (String[] mr : new String[][] {{"POST", "/health"}, {"DELETE", "/status"}, {"PUT", "/metrics"}, {"PATCH", "/symbols"}, {"POST", "/symbols"}}) {
      record(codes, "wrong method", send(port, mr[0], mr[1], null, "{}", responses));
    }
    for (String bearer : new String[] {null, "", "wrong-token-wrong-token", ADMIN.substring(1), ADMIN + "x", TOKEN, "Basic " + ADMIN}) {
      record(codes, "missing or wrong admin token", send(port, "PUT", "/symbols", bearer, "{\"symbols\":[\"MSFT\"]}", responses));
      record(codes, "missing or wrong admin token", send(port, "DELETE", "/symbols/AAPL", bearer, null, responses));
    }
    // Each probe with the answers that count as a clean refusal (-1: closed without an answer).
    Map<String, String[]> garbage = new java.util.LinkedHashMap<>();
    garbage.put("binary garbage", new String[] {"\u0000\u0001\u0002garbage\r\n\r\n", "400"});
    garbage.put("HTTP/9.9", new String[] {"GET /health HTTP/9.9\r\n\r\n", "400 505 -1"});
    garbage.put("unknown method", new String[] {"GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n", "400 405 501"});
    // Transfer-Encoding overrides Content-Length (RFC 9112 6.1): the request is read by its chunks alone, nothing is
    // smuggled past it; the smuggled GET /admin behind it is just the next request, a 404.
    garbage.put("Content-Length + chunked", new String[] {"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n", "200 400"});
    garbage.put("two Content-Lengths", new String[] {"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n12345",
      "400"});
    garbage.put("bad chunk size", new String[] {"GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", "400 -1"});
    garbage.put("bad header folding", new String[] {"GET /health HTTP/1.1\r\n: novalue\r\n bad folding\r\n\r\n", "400"});
    Map<String, Integer> garbageCodes = new TreeMap<>();
    for (Map.Entry<String, String[]> g : garbage.entrySet()) {
      Answer a = raw(port, g.getValue()[0], responses);
      record(codes, "garbage on the socket", a);
      garbageCodes.put(g.getKey(), a.status());
    }
    Map<Integer, Integer> taps = concurrentTaps(port, 20);
    codes.put("20 concurrent event-bus taps", taps);
    SlowlorisResult slow = slowloris(port, 200);
    codes.put("health during 200 slowloris clients", slow.healthCodes());
    long barrageMs = (System.nanoTime() - barrageStart) / 1_000_000;
    heap.stop();

    // ---- delivery: every valid trade once, every bad frame or element one dead letter ----
    long wantTrades = expectedTradeCount;
    long wantLetters = expectedDeadLetters;
    await().atMost(Duration.ofSeconds(120)).until(() -> sent.get() == frames.size());
    List<ConsumerRecord<String, String>> trades = KafkaTestSupport.readAll(topic, (int) wantTrades, Duration.ofSeconds(120), Duration.ofSeconds(3));
    List<ConsumerRecord<String, String>> letters = KafkaTestSupport.readAll(dlq, (int) wantLetters, Duration.ofSeconds(60), Duration.ofSeconds(3));
    Map<String, Integer> gotTrades = new HashMap<>();
    for (ConsumerRecord<String, String> r : trades) {
      JsonObject v = new JsonObject(r.value());
      gotTrades.merge(identity(v.getString("symbol"), v.getLong("trade_ts_ms"), v.getDouble("price"), v.getDouble("volume")), 1, Integer::sum);
    }
    long missing = expectedTrades.entrySet().stream().mapToLong(e -> Math.max(0, e.getValue() - gotTrades.getOrDefault(e.getKey(), 0))).sum();
    long extra = gotTrades.entrySet().stream().mapToLong(e -> Math.max(0, e.getValue() - expectedTrades.getOrDefault(e.getKey(), 0))).sum();
    List<String> missingExamples = expectedTrades.keySet().stream().filter(k -> expectedTrades.get(k) > gotTrades.getOrDefault(k, 0)).limit(3).toList();
    List<String> extraExamples = gotTrades.keySet().stream().filter(k -> gotTrades.get(k) > expectedTrades.getOrDefault(k, 0)).limit(3).toList();
    long oversized = letters.stream().filter(r -> r.value().getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD).count();

    // ---- secrets: everywhere a secret could surface ----
    List<String> surfaces = new ArrayList<>(responses);
    for (String path : List.of("/health", "/ready", "/status", "/metrics", "/", "/status.js", "/debug/eventbus")) {
      surfaces.add(send(port, "GET", path, null, null, null).text());
    }
    JsonObject addresses = new JsonObject(send(port, "GET", "/debug/eventbus", null, null, null).body()).getJsonObject("addresses");
    for (String address : addresses.fieldNames()) {
      surfaces.add(send(port, "GET", "/debug/eventbus/" + URLEncoder.encode(address, StandardCharsets.UTF_8) + "?limit=100", null, null, null).text());
    }
    surfaces.add(send(port, "GET", "/debug/eventbus/finnhub.dead-letters/stream?limit=5&seconds=3", null, null, null).text());
    int logAndEndpoints = surfaces.size();
    for (ConsumerRecord<String, String> r : trades) {
      surfaces.add(recordText(r));
    }
    for (ConsumerRecord<String, String> r : letters) {
      surfaces.add(recordText(r));
    }
    int exitCode = service.terminate(Duration.ofSeconds(60));
    String log = service.log();
    surfaces.add(log);
    List<String> forms = secretForms();
    List<String> leaks = new ArrayList<>();
    for (String text : surfaces) {
      for (String form : forms) {
        if (text != null && text.contains(form)) {
          leaks.add(form + " in: " + (text.length() > 200 ? text.substring(0, 200) + "…" : text));
        }
      }
    }
    long redactedLetters = letters.stream().filter(r -> r.value().contains("****")).count();

    new ScenarioResult("Bad input", "bad-input-fuzzed-frames-end-to-end",
      String.format("%,d frames from a Finnhub stand-in: %,d valid, %,d fuzzed (FrameFuzzer, all kinds), through the fat jar to the broker",
        frames.size(), FUZZED_FRAMES, FUZZED_FRAMES),
      "every valid trade in Kafka exactly once; every malformed frame and invalid element one dead letter, payload cut at "
        + MAX_PAYLOAD + " bytes", wantTrades, trades.size(), -1, missing, extra, letters.size(), -1, -1, frames.size(),
      missing == 0 && extra == 0 && trades.size() == wantTrades && letters.size() == wantLetters && oversized == 0,
      String.format("expected %,d dead letters, got %,d; %d payloads over %d bytes%s", wantLetters, letters.size(), oversized, MAX_PAYLOAD,
        missing + extra == 0 ? "" : "; missing e.g. " + missingExamples + ", unexpected e.g. " + extraExamples)).write();
    int requests = codes.values().stream().mapToInt(m -> m.values().stream().mapToInt(Integer::intValue).sum()).sum() + slow.clients();
    new ScenarioResult("Bad input", "bad-input-hostile-http",
      "hostile clients on the status endpoint during the stream: 64 KB header, 10 KB request line, 10 MB bodies, traversal, unknown paths, "
        + "wrong methods and admin tokens, smuggling-style garbage, 20 concurrent taps, 200 slowloris connections",
      "clear status codes, slow clients cut off, /health answers throughout, heap bounded, trades keep flowing",
      -1, -1, -1, -1, -1, -1, -1, -1, requests, heap.peakBytes() < 200L << 20 && slow.closedByServer() == slow.clients(),
      String.format("status codes %s; socket garbage %s; %d/%d slowloris connections closed by the server within %d s; heap peak %.0f MB (-Xmx256m), "
          + "before %.0f MB; barrage %d s; trades written during it: %s", codes, garbageCodes, slow.closedByServer(), slow.clients(), slow.waitedS(),
        heap.peakBytes() / 1e6, heap.firstBytes() / 1e6, barrageMs / 1000, heap.tradesDuring())).write();
    new ScenarioResult("Secrets", "secrets-scan",
      String.format("FINNHUB_TOKEN, ADMIN_TOKEN and KAFKA_PASSWORD set; %d frames carry the Finnhub key (errors, malformed frames, invalid "
        + "trades); every endpoint, debug ring buffer and tap, the whole log, every record and header of both topics scanned", FUZZED_FRAMES / 100),
      "no secret anywhere, raw, URL-encoded or base64", -1, -1, -1, -1, -1, letters.size(), -1, -1, surfaces.size(), leaks.isEmpty(),
      String.format("%d responses and streams, %d trade records, %d dead letters (%d with a redacted key), 1 log of %,d bytes; %d forms searched; "
        + "%d leaks", logAndEndpoints, trades.size(), letters.size(), redactedLetters, log.length(), forms.size(), leaks.size())).write();

    assertThat(leaks).as("secrets found").isEmpty();
    assertThat(redactedLetters).as("dead letters of frames that carried the key, redacted").isGreaterThan(0);
    assertThat(missing).as("valid trades missing from Kafka").isZero();
    assertThat(extra).as("trade records beyond the valid trades sent").isZero();
    assertThat(letters).as("dead letters").hasSize((int) wantLetters);
    assertThat(oversized).as("dead-letter payloads over %d bytes", MAX_PAYLOAD).isZero();
    assertThat(codes.get("64 KB header")).containsOnlyKeys(431);
    assertThat(codes.get("10 KB request line")).containsOnlyKeys(414);
    assertThat(codes.get("10 MB body, no token")).containsOnlyKeys(413);
    assertThat(codes.get("10 MB body, admin token")).containsOnlyKeys(413);
    assertThat(codes.get("unknown path or traversal")).containsOnlyKeys(404, 405); // 405: PUT-only /symbols read with GET
    assertThat(codes.get("wrong method")).containsOnlyKeys(405);
    assertThat(codes.get("missing or wrong admin token")).containsOnlyKeys(401);
    for (Map.Entry<String, String[]> g : garbage.entrySet()) {
      assertThat(List.of(g.getValue()[1].split(" "))).as("answer to %s", g.getKey()).contains(Integer.toString(garbageCodes.get(g.getKey())));
    }
    assertThat(taps).containsOnlyKeys(200, 429);
    assertThat(taps.get(200)).isEqualTo(8);
    assertThat(slow.healthCodes()).containsOnlyKeys(200);
    assertThat(slow.closedByServer()).as("slowloris connections closed by the server").isEqualTo(slow.clients());
    assertThat(heap.peakBytes()).as("heap peak").isLessThan(200L << 20);
    assertThat(heap.tradesDuring()).as("trades written during the barrage").isPositive();
    assertThat(responses).noneMatch(r -> r.contains("root:x:0:0") || r.contains("<artifactId>"));
    assertThat(exitCode).isZero();
  }

  private static String withSecret(int n) {
    return switch (n % 3) {
      case 0 -> "{\"type\":\"error\",\"msg\":\"Invalid API key " + TOKEN + "\"}";
      case 1 -> "not json, echoing token=" + TOKEN;
      default -> "{\"type\":\"trade\",\"data\":[{\"s\":\"AAPL\",\"t\":1700000000000,\"p\":\"" + TOKEN + "\",\"v\":1}]}";
    };
  }

  private static List<String> secretForms() {
    List<String> forms = new ArrayList<>();
    for (String secret : List.of(TOKEN, ADMIN, KAFKA_PASSWORD)) {
      forms.add(secret);
      forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
      forms.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)).replace("=", ""));
      forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
    }
    return forms.stream().distinct().toList();
  }

  private static String identity(String symbol, long ts, double price, double volume) {
    return symbol + "|" + ts + "|" + price + "|" + volume;
  }

  private static String recordText(ConsumerRecord<String, String> r) {
    StringBuilder out = new StringBuilder(String.valueOf(r.key())).append('\n').append(r.value()).append('\n');
    for (Header h : r.headers()) {
      out.append(h.key()).append(": ").append(new String(h.value(), StandardCharsets.UTF_8)).append('\n');
    }
    return out.toString();
  }

  private static void record(Map<String, Map<Integer, Integer>> codes, String what, Answer answer) {
    codes.computeIfAbsent(what, k -> new TreeMap<>()).merge(answer.status(), 1, Integer::sum);
  }

  /** Status (or -1 when the server closed without answering) and the whole answer as text. */
  record Answer(int status, String text) {
    String body() {
      int at = text.indexOf("\r\n\r\n");
      return at < 0 ? text : text.substring(at + 4);
    }
  }

  /** Writes {@code request} on a fresh socket and reads the answer until the server closes or 10 s pass. */
  private static Answer raw(int port, String request, List<String> responses) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      try {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      } catch (IOException closedWhileWriting) {
        // the server may refuse before reading it all
      }
      Answer a = readAnswer(s.getInputStream());
      if (responses != null) {
        responses.add(a.text());
      }
      return a;
    }
  }

  private static Answer readAnswer(InputStream in) {
    StringBuilder text = new StringBuilder();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) > 0 && text.length() < 1_000_000; ) {
        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        if (complete(text)) {
          break;
        }
      }
    } catch (IOException closedOrTimedOut) {
      // what arrived is the answer
    }
    Matcher m = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(text);
    return new Answer(m.find() ? Integer.parseInt(m.group(1)) : -1, text.toString());
  }

  /** Whether a whole response (head plus Content-Length bytes) is in. */
  private static boolean complete(StringBuilder text) {
    int head = text.indexOf("\r\n\r\n");
    if (head < 0) {
      return false;
    }
    Matcher len = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(text.substring(0, head));
    return len.find() && text.length() - head - 4 >= Integer.parseInt(len.group(1));
  }

  /** PUT /symbols announcing and streaming 10 MB; the answer must come before the server read it all. */
  private static Answer hugeBody(int port, String bearer, List<String> responses) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      int total = 10 << 20;
      out.write(("PUT /symbols HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + total + "\r\n"
        + (bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = ("{\"symbols\":[" + "\"AAPL\",".repeat(10_000)).substring(0, 64 * 1024).getBytes(StandardCharsets.ISO_8859_1);
      try {
        for (int written = 0; written < total && s.getInputStream().available() == 0; written += chunk.length) {
          out.write(chunk);
        }
      } catch (IOException closedByServer) {
        // refused before the end: what we want
      }
      Answer a = readAnswer(s.getInputStream());
      responses.add(a.text());
      return a;
    }
  }

  private Answer send(int port, String method, String path, String bearer, String body, List<String> responses)
    throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", bearer.startsWith("Basic ") ? bearer : "Bearer " + bearer);
    }
    HttpResponse<String> res;
    try {
      res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IllegalArgumentException unsendable) { // the JDK client refuses some paths itself: send them raw
      return raw(port, method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", responses);
    }
    StringBuilder text = new StringBuilder("HTTP/1.1 ").append(res.statusCode()).append("\r\n");
    res.headers().map().forEach((k, v) -> text.append(k).append(": ").append(String.join(",", v)).append("\r\n"));
    Answer a = new Answer(res.statusCode(), text.append("\r\n").append(res.body()).toString());
    if (responses != null) {
      responses.add(a.text());
    }
    return a;
  }

  /** Opens {@code n} taps at once and counts the status codes; the taps end on their own (seconds=5). */
  private static Map<Integer, Integer> concurrentTaps(int port, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Integer>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(pool.submit(() -> {
          try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /debug/eventbus/finnhub.trades/stream?seconds=5 HTTP/1.1\r\nHost: x\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
            byte[] head = new byte[12];
            int read = s.getInputStream().readNBytes(head, 0, 12);
            int status = read == 12 ? Integer.parseInt(new String(head, 9, 3, StandardCharsets.ISO_8859_1)) : -1;
            Thread.sleep(1_500); // hold the tap open while the others try
            return status;
          }
        }));
      }
      Map<Integer, Integer> codes = new TreeMap<>();
      for (Future<Integer> f : all) {
        codes.merge(f.get(30, TimeUnit.SECONDS), 1, Integer::sum);
      }
      return codes;
    } finally {
      pool.shutdownNow();
    }
  }

  record SlowlorisResult(int clients, int closedByServer, long waitedS, Map<Integer, Integer> healthCodes) {
  }

  /** {@code n} connections dribbling header bytes; /health is asked meanwhile; counts those the server closes. */
  private SlowlorisResult slowloris(int port, int n) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    Map<Socket, Boolean> closed = new ConcurrentHashMap<>();
    Map<Integer, Integer> health = new TreeMap<>();
    long start = System.nanoTime();
    try {
      for (int i = 0; i < n; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(1);
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
        sockets.add(s);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
      while (closed.size() < n && System.nanoTime() < deadline) {
        for (Socket s : sockets) {
          if (closed.containsKey(s)) {
            continue;
          }
          try {
            s.getOutputStream().write('X'); // one more header byte a second, never the end of the head
            s.getOutputStream().flush();
            if (s.getInputStream().read() == -1) {
              closed.put(s, true);
            }
          } catch (SocketTimeoutException stillOpen) {
            // the server keeps waiting, for now
          } catch (IOException reset) {
            closed.put(s, true);
          }
        }
        health.merge(send(port, "GET", "/health", null, null, null).status(), 1, Integer::sum);
        Thread.sleep(1_000);
      }
    } finally {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing what the server may have closed
        }
      }
    }
    return new SlowlorisResult(n, closed.size(), (System.nanoTime() - start) / 1_000_000_000, health);
  }

  /** Polls the service's heap gauge and trade count from /metrics and /status while the barrage runs. */
  private final class HeapWatch {
    private final int port;
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong first = new AtomicLong(-1);
    private final AtomicLong tradesAtStart = new AtomicLong(-1);
    private final AtomicLong tradesAtEnd = new AtomicLong(-1);
    private volatile boolean running = true;
    private Thread thread;

    HeapWatch(int port) {
      this.port = port;
    }

    void start() {
      tradesAtStart.set(acked());
      thread = new Thread(() -> {
        while (running) {
          try {
            Matcher m = HEAP.matcher(send(port, "GET", "/metrics", null, null, null).body());
            long sum = 0;
            while (m.find()) {
              sum += (long) Double.parseDouble(m.group(1));
            }
            first.compareAndSet(-1, sum);
            peak.accumulateAndGet(sum, Math::max);
            Thread.sleep(250);
          } catch (Exception e) {
            // a missed sample under load; the next one counts
          }
        }
      }, "heap-watch");
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(10_000);
      tradesAtEnd.set(acked());
    }

    long peakBytes() {
      return peak.get();
    }

    long firstBytes() {
      return first.get();
    }

    long tradesDuring() {
      return tradesAtEnd.get() - tradesAtStart.get();
    }

    private long acked() {
      return service.sinkStatus().getLong("acked");
    }
  }
}
