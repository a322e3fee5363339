package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two README commands as a new user runs them: {@code ./mvnw} and {@code ./tandem} in a shell
 * whose default {@code java} may be older than 21 and with {@code JAVA_HOME} unset. The JDKs they
 * may find are laid out in a temporary directory (TANDEM_JDK_ROOTS), so the test does not depend on
 * what this machine has installed.
 */
class LauncherTest {
  private static final Path PROJECT = Path.of("").toAbsolutePath();

  @TempDir Path roots;
  @TempDir Path etc;

  private record Run(int exit, String output) {}

  private Run run(Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    var builder = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true);
    builder.environment().remove("JAVA_HOME");
    builder.environment().remove("MAVEN_OPTS"); // may hold flags only a newer JDK knows
    builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
    builder.environment().put("TANDEM_JDK_ROOTS", roots.toString());
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    return new Run(process.exitValue(), output);
  }

  /** A directory that looks like a JDK of the given version to the launchers. */
  private void fakeJdk(String name, int version) throws IOException {
    Path bin = Files.createDirectories(roots.resolve(name).resolve("bin"));
    for (String tool : List.of("java", "javac")) {
      Path script = bin.resolve(tool);
      Files.writeString(
          script,
          "#!/bin/sh\necho '    java.specification.version = " + version + "' >&2\nexit 0\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private Path osRelease(String id, String version) throws IOException {
    Path file = etc.resolve("os-release-" + id);
    Files.writeString(file, "ID=" + id + "\nVERSION_ID=\"" + version + "\"\n");
    return file;
  }

  @Test
  void mvnw_runs_maven_on_a_jdk_21_or_newer_when_the_default_java_is_older() throws Exception {
    fakeJdk("openjdk-17", 17);
    // the JDK running this test is 21 or newer (the build requires it): offer it beside the 17
    Files.createSymbolicLink(roots.resolve("real-jdk"), Path.of(System.getProperty("java.home")));

    Run run = run(Map.of(), "./mvnw", "-v");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("runtime: " + Path.of(System.getProperty("java.home")).toRealPath())
        .doesNotContain("Java version: 17");
  }

  @Test
  void mvnw_prefers_a_java_home_that_is_new_enough() throws Exception {
    fakeJdk("openjdk-99", 99); // newer, but JAVA_HOME names a JDK that will do
    Path home = Path.of(System.getProperty("java.home")).toRealPath();

    Run run = run(Map.of("JAVA_HOME", home.toString()), "./mvnw", "-v");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("runtime: " + home);
  }

  @Test
  void without_a_jdk_21_both_commands_say_what_to_install_on_debian_12() throws Exception {
    fakeJdk("openjdk-17", 17);
    var env = Map.of("TANDEM_OS_RELEASE", osRelease("debian", "12").toString());

    for (String command : List.of("./mvnw", "./tandem")) {
      Run run = run(env, command, "--help");

      assertThat(run.exit()).as(command + ": " + run.output()).isEqualTo(3);
      assertThat(run.output())
          .as(command)
          .contains("JDK), version 21 or newer, and found none")
          .contains("temurin-21-jdk")
          // Debian 12's archive has no such package: naming it sends people on a wild goose chase
          .doesNotContain("apt-get install openjdk-21-jdk");
    }
  }

  @Test
  void the_advice_names_the_package_of_the_os_it_runs_on() throws Exception {
    Map<String, String> expected =
        Map.of(
            "fedora:41", "dnf install java-21-openjdk-devel",
            "ubuntu:24.04", "apt-get install openjdk-21-jdk",
            "debian:13", "apt-get install openjdk-21-jdk",
            "ubuntu:22.04", "apt-get install openjdk-21-jdk",
            "rhel:9.4", "dnf install java-21-openjdk-devel",
            "alpine:3.20", "apk add openjdk21-jdk");
    for (var entry : expected.entrySet()) {
      String[] os = entry.getKey().split(":");
      Run run = run(Map.of("TANDEM_OS_RELEASE", osRelease(os[0], os[1]).toString()), "./tandem");

      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.output()).as(entry.getKey()).contains(entry.getValue());
    }
  }

  @Test
  void on_macos_and_on_windows_shells_the_advice_names_their_installers() throws Exception {
    Map<String, String> expected =
        Map.of(
            "Darwin", "brew install openjdk@21",
            "MINGW64_NT-10.0-19045", "winget install EclipseAdoptium.Temurin.21.JDK",
            "CYGWIN_NT-10.0", "winget install EclipseAdoptium.Temurin.21.JDK");
    for (var entry : expected.entrySet()) {
      // an os-release that would say otherwise: the kernel's name wins
      var env =
          Map.of(
              "TANDEM_UNAME",
              entry.getKey(),
              "TANDEM_OS_RELEASE",
              osRelease("debian", "13").toString());
      for (String command : List.of("./mvnw", "./tandem")) {
        Run run = run(env, command, "--version");

        assertThat(run.exit()).as(command + " on " + entry.getKey()).isEqualTo(3);
        assertThat(run.output())
            .as(command + " on " + entry.getKey())
            .contains(entry.getValue())
            .doesNotContain("apt-get");
      }
    }
  }
}
