package dev.tandem.email.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Big messages are received into private spool files that go when the message is handled. */
class MessageSpoolTest {
  @TempDir Path dataDir;

  @Test
  void a_big_message_is_spooled_to_a_file_only_its_owner_reads_and_deleted_when_handled()
      throws Exception {
    Path directory = dataDir.resolve("inbound-spool");
    var spool = new MessageSpool(directory, 1 << 30);
    byte[] big = new byte[MessageSpool.IN_MEMORY_BYTES * 3];
    Arrays.fill(big, (byte) 'x');

    Path file;
    try (MessageSpool.Spooled message = spool.read(new ByteArrayInputStream(big)).orElseThrow()) {
      file = message.file().orElseThrow();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
          .isEqualTo("rwx------");
      assertThat(message.size()).isEqualTo(big.length);
      assertThat(message.open().readAllBytes()).isEqualTo(big);
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void a_small_message_stays_in_memory() throws Exception {
    var spool = new MessageSpool(dataDir.resolve("inbound-spool"), 1 << 30);
    try (MessageSpool.Spooled message =
        spool
            .read(new ByteArrayInputStream("Subject: hi\r\n\r\nHi.\r\n".getBytes()))
            .orElseThrow()) {
      assertThat(message.file()).isEmpty();
      assertThat(message.size()).isEqualTo(20);
    }
  }

  @Test
  void a_message_over_the_maximum_is_not_kept() throws Exception {
    Path directory = dataDir.resolve("inbound-spool");
    var spool = new MessageSpool(directory, MessageSpool.IN_MEMORY_BYTES * 2L);

    assertThat(spool.read(new ByteArrayInputStream(new byte[MessageSpool.IN_MEMORY_BYTES * 3])))
        .isEmpty();
    try (var left = Files.list(directory)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void files_left_by_a_crash_are_deleted_at_start() throws Exception {
    Path directory = Files.createDirectories(dataDir.resolve("inbound-spool"));
    Path left = Files.writeString(directory.resolve("mail-1.eml"), "never acknowledged");

    new MessageSpool(directory, 1 << 30);

    assertThat(left).doesNotExist();
  }
}
