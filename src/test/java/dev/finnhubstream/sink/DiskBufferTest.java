package dev.finnhubstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskBufferTest {

  private static final long BUDGET = 16L * 1024 * 1024;

  @TempDir
  Path dir;

  private static OutboundRecord trade(int i) {
    String id = "run-" + i + "-0";
    return new OutboundRecord(OutboundRecord.Kind.TRADE, ("SYM" + (i % 7)).getBytes(StandardCharsets.UTF_8),
      ("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 50) + "\"}").getBytes(StandardCharsets.UTF_8), List.of(), 1_000L + i, id);
  }

  private static String valueOf(OutboundRecord r) {
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  /** Reads everything unread, acknowledging each record as it goes. */
  private static List<String> drain(DiskBuffer buffer) {
    List<String> values = new ArrayList<>();
    for (OutboundRecord r = buffer.peek(); r != null; r = buffer.peek()) {
      values.add(valueOf(r));
      buffer.acknowledged(buffer.advance());
    }
    return values;
  }

  private static List<String> values(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(valueOf(trade(i)));
    }
    return out;
  }

  @Test
  @DisplayName("records come back in append order with every field, across segments, and acknowledged segments are deleted")
  void roundTripInOrder() throws IOException {
    try (DiskBuffer buffer = DiskBuffer.open(dir, 1024 * 1024)) {
      OutboundRecord dead = new OutboundRecord(OutboundRecord.Kind.DEAD_LETTER, null, "raw \u00e9\u20ac".getBytes(StandardCharsets.UTF_8),
        List.of(new RecordHeader("reason", "malformed:invalid_json".getBytes(StandardCharsets.UTF_8))), 42L, "malformed (frame 3)");
      assertThat(buffer.append(dead)).isTrue();
      for (int i = 0; i < 5_000; i++) {
        assertThat(buffer.append(trade(i))).isTrue();
      }
      assertThat(buffer.segmentIds()).as("a 1 MiB budget rolls 128 KiB segments").hasSizeGreaterThan(2);
      assertThat(buffer.unreadRecords()).isEqualTo(5_001);

      OutboundRecord first = buffer.peek();
      assertThat(first.kind()).isEqualTo(OutboundRecord.Kind.DEAD_LETTER);
      assertThat(first.key()).isNull();
      assertThat(valueOf(first)).isEqualTo("raw \u00e9\u20ac");
      assertThat(first.headers()).singleElement().satisfies(h -> {
        assertThat(h.key()).isEqualTo("reason");
        assertThat(new String(h.value(), StandardCharsets.UTF_8)).isEqualTo("malformed:invalid_json");
      });
      assertThat(first.receivedAtMs()).isEqualTo(42L);
      assertThat(first.id()).isEqualTo("malformed (frame 3)");
      buffer.acknowledged(buffer.advance());

      OutboundRecord second = buffer.peek();
      assertThat(second.keyText()).isEqualTo("SYM0");
      assertThat(second.id()).isEqualTo("run-0-0");
      assertThat(drain(buffer)).containsExactlyElementsOf(values(0, 5_000));
      assertThat(buffer.isEmpty()).isTrue();
      assertThat(buffer.sizeBytes()).isZero();
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".seg"));
    }
  }

  @Test
  @DisplayName("after a restart, reading resumes after the last acknowledged record; unacknowledged ones come back")
  void resumesAfterAcknowledgedCursor() throws IOException {
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      for (int i = 0; i < 100; i++) {
        buffer.append(trade(i));
      }
      List<DiskBuffer.Position> read = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        buffer.peek();
        read.add(buffer.advance());
      }
      // Read 60, but Kafka acknowledged only the first 40 before the stop.
      buffer.acknowledged(read.get(39));
    }
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(buffer.unreadRecords()).isEqualTo(60);
      assertThat(drain(buffer)).containsExactlyElementsOf(values(40, 100));
    }
  }

  @Test
  @DisplayName("appends past the budget are refused and nothing is written; acknowledging frees the budget")
  void budget() throws IOException {
    try (DiskBuffer buffer = DiskBuffer.open(dir, 1024 * 1024)) {
      int accepted = 0;
      while (buffer.append(trade(accepted))) {
        accepted++;
      }
      assertThat(buffer.sizeBytes()).isLessThanOrEqualTo(1024 * 1024);
      assertThat(buffer.unreadRecords()).isEqualTo(accepted);
      assertThat(buffer.append(trade(accepted))).as("still no room").isFalse();
      assertThat(drain(buffer)).hasSize(accepted);
      assertThat(buffer.append(trade(accepted))).as("room again once Kafka acknowledged").isTrue();
    }
  }

  @Test
  @DisplayName("records prepended at shutdown are read before everything already buffered, also after a restart")
  void prependComesFirst() throws IOException {
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      for (int i = 100; i < 110; i++) {
        buffer.append(trade(i));
      }
      assertThat(buffer.prepend(List.of(trade(1), trade(2), trade(3)))).isEmpty();
    }
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      List<String> expected = new ArrayList<>(values(1, 4));
      expected.addAll(values(100, 110));
      assertThat(drain(buffer)).containsExactlyElementsOf(expected);
      // New appends after a restart go behind what is left.
      buffer.append(trade(7));
      assertThat(drain(buffer)).containsExactly(valueOf(trade(7)));
    }
  }

  /** Writes records 0..9 and closes the buffer; returns the segment file that holds them. */
  private Path tenRecordsInOneSegment() throws IOException {
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      for (int i = 0; i < 10; i++) {
        buffer.append(trade(i));
      }
    }
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
  }

  @Test
  @DisplayName("a frame torn by a crash mid-write is cut off at start-up; the records before it survive")
  void tornTailIsCut() throws IOException {
    Path segment = tenRecordsInOneSegment();
    long intact = Files.size(segment);
    byte[] tenth = DiskRecordCodec.encode(trade(10));
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.APPEND)) {
      ch.write(java.nio.ByteBuffer.wrap(tenth, 0, tenth.length - 3));
    }
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(Files.size(segment)).isEqualTo(intact);
      assertThat(drain(buffer)).containsExactlyElementsOf(values(0, 10));
    }
  }

  @Test
  @DisplayName("a corrupted frame (checksum mismatch) is cut off with everything after it, never replayed as garbage")
  void corruptFrameIsCut() throws IOException {
    Path segment = tenRecordsInOneSegment();
    long fifth = 0;
    for (int i = 0; i < 5; i++) {
      fifth += DiskRecordCodec.encode(trade(i)).length;
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {'#'}), fifth + 20);
    }
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(drain(buffer)).containsExactlyElementsOf(values(0, 5));
    }
  }

  @Test
  @DisplayName("one directory, one process: a second open fails with a message naming the directory")
  void exclusive() throws IOException {
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThatThrownBy(() -> DiskBuffer.open(dir, BUDGET))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.toAbsolutePath().toString())
        .hasMessageContaining("in use by another process");
    }
  }

  @Test
  @DisplayName("a clean close leaves nothing to report; a process that never closed is reported with its last checkpoint")
  void crashReport() throws IOException {
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(buffer.previousRun()).as("first start").isNull();
      buffer.checkpoint(100, 7);
    }
    String leftByACrash;
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(buffer.previousRun()).as("after a clean close").isNull();
      buffer.checkpoint(2_500, 42);
      // What kill -9 leaves behind: the running file of the last checkpoint (close() would delete it).
      leftByACrash = Files.readString(dir.resolve("running"));
    }
    Files.writeString(dir.resolve("running"), leftByACrash);
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      SinkStatus.PreviousRun crashed = buffer.previousRun();
      assertThat(crashed).isNotNull();
      assertThat(crashed.received()).isEqualTo(2_500);
      assertThat(crashed.heldInMemory()).isEqualTo(42);
      assertThat(crashed.checkpointAtMs()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
    }
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(buffer.previousRun()).as("reported once").isNull();
    }
  }

  @Test
  @DisplayName("a clean close leaves its stop time for the next start (the start of its service_stopped gaps); a crash after it wins")
  void stopTime() throws IOException {
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(buffer.previousStopAtMs()).as("first start").isNull();
      buffer.stoppedAt(1_234_567);
    }
    String leftByACrash;
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(buffer.previousStopAtMs()).as("after a clean close").isEqualTo(1_234_567L);
      assertThat(buffer.previousRun()).isNull();
      leftByACrash = Files.readString(dir.resolve("running"));
    }
    Files.writeString(dir.resolve("running"), leftByACrash);
    try (DiskBuffer buffer = DiskBuffer.open(dir, BUDGET)) {
      assertThat(buffer.previousRun()).as("the crash is what ended the last run").isNotNull();
      assertThat(buffer.previousStopAtMs()).as("an older clean stop is not the last run's end").isNull();
    }
  }
}
