package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The release jar as an operator gets it: {@code target/tandem.jar}, built by {@code package}, run
 * with {@code java -jar}. Failsafe runs this after packaging ({@code ./mvnw verify}).
 */
class ReleaseJarIT {
  private static final Path JAR = Path.of(System.getProperty("tandem.jar", "target/tandem.jar"));
  private static final String VERSION = System.getProperty("tandem.version");

  @Test
  void the_manifest_names_the_main_class_and_the_version_of_the_build() throws IOException {
    try (var jar = new JarFile(JAR.toFile())) {
      var attributes = jar.getManifest().getMainAttributes();

      assertThat(attributes.getValue("Main-Class")).isEqualTo("dev.tandem.Main");
      assertThat(attributes.getValue("Implementation-Version")).isEqualTo(VERSION).isNotBlank();
      // what it needs at run time is inside: the PostgreSQL binaries and the migrations
      assertThat(jar.getEntry("postgres-linux-x86_64.txz")).isNotNull();
      assertThat(jar.getEntry("db/migration/V1__core.sql")).isNotNull();
      // a shaded signature would make the JVM reject the jar's classes
      assertThat(jar.stream().map(e -> e.getName()))
          .noneMatch(name -> name.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
    }
  }

  @Test
  void java_jar_version_prints_the_version_of_the_build() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(java, "-jar", JAR.toString(), "--version")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output.strip()).isEqualTo("Tandem " + VERSION);
  }
}
