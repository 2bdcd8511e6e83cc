package dev.finnhubstream.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What goes into the images, checked without a Docker engine (ServiceImageIT builds and runs the service's image).
 */
class ImageInputsTest {

  private static final Path REPO = Path.of("").toAbsolutePath();

  @Test
  @DisplayName(".dockerignore is an allow-list: everything is out (target/, .work/, .git, *.tfvars) except the paths the Dockerfile copies")
  void dockerignoreAllowsOnlyWhatTheBuildCopies() throws IOException {
    List<String> patterns = Files.readAllLines(REPO.resolve(".dockerignore")).stream()
      .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(patterns.get(0)).as("first pattern excludes everything").isEqualTo("*");
    List<String> allowed = patterns.subList(1, patterns.size());
    assertThat(allowed).allMatch(p -> p.startsWith("!"));
    List<String> paths = allowed.stream().map(p -> p.substring(1)).toList();
    assertThat(paths).containsExactlyInAnyOrder("pom.xml", "src", "conf/app.json", "docker");
    paths.forEach(p -> assertThat(REPO.resolve(p)).exists());
    // Every source the Dockerfile copies from the context is allowed (a missing one would fail the build, late).
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(Files.readString(REPO.resolve("Dockerfile")));
    while (copy.find()) {
      String source = copy.group(1);
      assertThat(paths).as("COPY %s", source).anyMatch(p -> source.equals(p) || source.startsWith(p + "/"));
    }
  }

  @Test
  @DisplayName("the Testcontainers images match the native services: the Kafka version ci/kafka.sh runs, the ClickHouse version the local schema targets")
  void testImagesMatchTheNativeServices() throws IOException {
    String pom = Files.readString(REPO.resolve("pom.xml"));
    String kafkaPom = Files.readString(REPO.resolve("ci/kafka/pom.xml"));
    assertThat(property(pom, "testcontainers.kafka.image")).isEqualTo("apache/kafka:" + property(kafkaPom, "kafka.version"));
    assertThat(property(pom, "testcontainers.clickhouse.image")).endsWith(":18.16.1");
  }

  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
    assertThat(m.find()).as("property %s", name).isTrue();
    return m.group(1);
  }
}
