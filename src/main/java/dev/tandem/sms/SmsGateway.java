package dev.tandem.sms;

import java.util.concurrent.CompletableFuture;

/**
 * Where SMS leave Tandem: an SMSC over SMPP, or (later) an HTTP provider. Receipts and inbound SMS
 * come back through the {@link Listener} given at construction.
 */
public interface SmsGateway extends AutoCloseable {

  /** Connects in the background; submits answer {@code RetryLater} until connected. */
  void start();

  /**
   * Submits without blocking the caller; many submits may be in flight at once, up to the gateway's
   * window. The future never completes exceptionally.
   */
  CompletableFuture<SmsSubmitResult> submit(OutboundSms sms);

  /** True when the gateway can submit now (bound to its SMSC). */
  boolean ready();

  /**
   * Sessions and window: {@code sessions} the binds configured, {@code bound} those bound now,
   * {@code window} the submits that may await an answer at once, {@code inFlight} those awaiting
   * one now. HTTP gateways have no sessions: all zero.
   */
  record Load(int sessions, int bound, int window, int inFlight) {
    public static final Load NONE = new Load(0, 0, 0, 0);

    public Load plus(Load other) {
      return new Load(
          sessions + other.sessions,
          bound + other.bound,
          window + other.window,
          inFlight + other.inFlight);
    }
  }

  default Load load() {
    return Load.NONE;
  }

  @Override
  void close();

  /** Receives what the SMSC sends back. Called on the gateway's threads; must not block long. */
  interface Listener {
    void onReceipt(DeliveryReceipt receipt, String receiptKey, String raw);

    void onInbound(InboundSms sms);

    /** Something the SMSC sent that Tandem cannot use: kept with the reason, never dropped. */
    void onUnusable(String kind, String source, String raw, String reason);
  }
}
