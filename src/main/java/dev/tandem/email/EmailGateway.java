package dev.tandem.email;

import java.util.concurrent.CompletableFuture;

/** Where email leaves Tandem: an SMTP relay (the sandbox's, an operator's Postfix, an ESP's). */
public interface EmailGateway extends AutoCloseable {

  /** Sends without blocking the caller. The future never completes exceptionally. */
  CompletableFuture<EmailSendResult> send(OutboundEmail email);

  /** False after the last connection attempt to the relay failed. */
  boolean ready();

  @Override
  void close();
}
