package dev.tandem.email.inbound;

import dev.tandem.email.InboundEmails;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.URLName;
import jakarta.mail.search.FlagTerm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a mailbox over IMAP or POP3 (Angus Mail), for operators who have a mailbox and no MX of
 * their own: every unseen message is classified, handed to {@link InboundEmails} and then marked
 * seen (IMAP) or deleted (POP3). {@link #pollOnce} runs one round; {@link #start} repeats it.
 */
public final class MailboxPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MailboxPoller.class);

  private final URLName url;
  private final InboundEmails inbound;
  private final Session session;
  private ScheduledExecutorService scheduler;

  /**
   * @param url e.g. {@code imap://user:password@host:143/INBOX}, {@code imaps://…}, {@code
   *     pop3://…}
   */
  public MailboxPoller(String url, InboundEmails inbound) {
    this.url = new URLName(url);
    this.inbound = inbound;
    var props = new Properties();
    props.put("mail.imap.connectiontimeout", "30000");
    props.put("mail.imap.timeout", "60000");
    props.put("mail.pop3.connectiontimeout", "30000");
    props.put("mail.pop3.timeout", "60000");
    this.session = Session.getInstance(props);
  }

  /** Reads every unseen message once; returns how many were stored. */
  public int pollOnce() throws MessagingException, IOException {
    boolean pop3 = url.getProtocol().startsWith("pop3");
    try (Store store = session.getStore(url)) {
      store.connect();
      Folder folder =
          store.getFolder(
              url.getFile() == null || url.getFile().isEmpty() ? "INBOX" : url.getFile());
      folder.open(Folder.READ_WRITE);
      try {
        Message[] messages =
            pop3
                ? folder.getMessages()
                : folder.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false));
        int stored = 0;
        for (Message message : messages) {
          var raw = new ByteArrayOutputStream();
          message.writeTo(raw);
          byte[] bytes = raw.toByteArray();
          inbound.record(MailClassifier.classify(bytes, List.of()), bytes.length);
          message.setFlag(pop3 ? Flags.Flag.DELETED : Flags.Flag.SEEN, true);
          stored++;
        }
        return stored;
      } finally {
        folder.close(pop3); // POP3 deletes on close with expunge
      }
    }
  }

  public void start(Duration interval) {
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("mailbox-poller").unstarted(r));
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            pollOnce();
          } catch (Exception e) {
            log.warn("polling {} failed: {}", url.getHost(), e.getMessage());
          }
        },
        0,
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
