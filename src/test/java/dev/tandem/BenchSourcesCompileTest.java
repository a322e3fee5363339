package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The benchmark programs in {@code bench/src} are not built by Maven; they are compiled here
 * against the code under test, so a change that breaks them fails the build instead of the next
 * benchmark run.
 */
class BenchSourcesCompileTest {
  @Test
  void the_benchmark_programs_compile() throws IOException {
    List<String> sources;
    try (Stream<Path> files = Files.walk(Path.of("bench/src"))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).toList();
    }
    assertThat(sources).isNotEmpty();
    Path out = Files.createTempDirectory("bench-classes");
    var args =
        new ArrayList<>(
            List.of(
                "-nowarn",
                "-proc:none",
                "-d",
                out.toString(),
                "-cp",
                System.getProperty("java.class.path")));
    args.addAll(sources);
    var errors = new java.io.ByteArrayOutputStream();
    int status =
        ToolProvider.getSystemJavaCompiler().run(null, null, errors, args.toArray(String[]::new));
    assertThat(status).as("javac bench/src:%n%s", errors).isZero();
  }
}
