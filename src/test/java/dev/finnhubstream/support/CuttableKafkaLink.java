package dev.finnhubstream.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * One client's own road to the broker, which a test can cut: a TCP proxy on the port the broker's {@code CUT}
 * listener advertises ({@code ci/kafka.sh}: listener {@code KAFKA_CUT_PORT}, 19094, advertised as
 * {@code KAFKA_CUT_PROXY_PORT}, 19095). A client bootstrapped on {@link #bootstrap()} learns the proxy as the
 * broker's address, so all its traffic crosses here, while every other client keeps its direct road: a partition
 * between that one client and Kafka, nothing else.
 *
 * <p>{@link #cut()} is a black hole, as a real partition is: bytes stop flowing both ways and new connections are
 * accepted but lead nowhere; nobody gets a reset. {@link #heal()} resets the connections that crossed the cut (as
 * TCP does once its retransmissions give up) and forwards again.
 */
public final class CuttableKafkaLink implements AutoCloseable {

  private static final String HOST = "127.0.0.1";

  private final int brokerPort;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  private CuttableKafkaLink(int brokerPort, int proxyPort) throws IOException {
    this.brokerPort = brokerPort;
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(HOST), proxyPort));
    Thread acceptor = new Thread(this::acceptLoop, "kafka-link-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Opens the link, or skips the test where the broker has no {@code CUT} listener (a broker in a container, or one
   * started by an older {@code ci/kafka.sh}); CI ({@code -Dit.services.required=true}) fails instead.
   */
  public static CuttableKafkaLink open() throws IOException {
    int brokerPort = port("KAFKA_CUT_PORT", 19094);
    String missing = TestServices.kafkaInContainer() ? "the broker runs in a container, which has no CUT listener"
      : !listening(brokerPort) ? "no CUT listener on " + HOST + ":" + brokerPort + " (restart the broker with ci/kafka.sh)" : null;
    if (missing != null) {
      if (Boolean.getBoolean("it.services.required")) {
        throw new AssertionError("cannot cut a client off from Kafka: " + missing);
      }
      Assumptions.abort("cannot cut a client off from Kafka: " + missing);
    }
    return new CuttableKafkaLink(brokerPort, port("KAFKA_CUT_PROXY_PORT", 19095));
  }

  /** The bootstrap servers for the client that this link may cut off. */
  public String bootstrap() {
    return HOST + ":" + server.getLocalPort();
  }

  public void cut() {
    cut = true;
  }

  public void heal() {
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
    cut = false;
  }

  @Override
  public void close() {
    closeQuietly(server);
    heal();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        if (cut) {
          continue; // accepted, leads nowhere: the client waits for its own timeout
        }
        Socket broker = new Socket(HOST, brokerPort);
        sockets.add(broker);
        pump(client, broker);
        pump(broker, client);
      } catch (IOException e) {
        // closed, or the broker refused: the client sees its connection end and retries
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          while (cut && !from.isClosed()) {
            Thread.sleep(20); // held, as a partition holds packets, until heal() resets the connection
          }
          out.write(buffer, 0, n);
        }
      } catch (IOException | InterruptedException e) {
        // reset by heal() or closed by either side
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        sockets.remove(from);
        sockets.remove(to);
      }
    }, "kafka-link-pump");
    t.setDaemon(true);
    t.start();
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int port(String variable, int defaultPort) {
    String value = System.getenv(variable);
    return value == null || value.isBlank() ? defaultPort : Integer.parseInt(value.trim());
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
