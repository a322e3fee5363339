package dev.tandem.sms.smpp;

import dev.tandem.config.TandemConfig;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.Gsm7;
import dev.tandem.sms.InboundSms;
import dev.tandem.sms.OutboundSms;
import dev.tandem.sms.ReceiptKeys;
import dev.tandem.sms.SmsGateway;
import dev.tandem.sms.SmsSubmitResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataCoding;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GeneralDataCoding;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitSmResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMS over SMPP v3.4 with jSMPP: one transceiver bind, kept up by a background binder that rebinds
 * with backoff. Submits are pipelined: up to {@code smpp.window} are awaiting their {@code
 * submit_sm_resp} at once. No jSMPP type leaves this package.
 */
public final class SmppGateway implements SmsGateway {
  private static final Logger log = LoggerFactory.getLogger(SmppGateway.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String host;
  private final int port;
  private final TandemConfig.Smpp config;
  private final Listener listener;
  private final Clock clock;
  private final Semaphore window;
  private final ExecutorService submitters = Executors.newVirtualThreadPerTaskExecutor();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition sessionLost = lock.newCondition();
  private volatile SMPPSession session;
  private volatile boolean closed;
  private volatile String lastBindError = "not bound yet";
  private Thread binder;

  public SmppGateway(
      String host, int port, TandemConfig.Smpp config, Listener listener, Clock clock) {
    this.host = host;
    this.port = port;
    this.config = config;
    this.listener = listener;
    this.clock = clock;
    this.window = new Semaphore(config.window());
  }

  @Override
  public void start() {
    binder = Thread.ofVirtual().name("smpp-binder-" + host + ":" + port).start(this::keepBound);
  }

  private void keepBound() {
    Duration backoff = Duration.ofMillis(200);
    while (!closed) {
      SMPPSession current = session;
      if (current != null && current.getSessionState().isBound()) {
        lock.lock();
        try {
          sessionLost.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return;
        } finally {
          lock.unlock();
        }
        continue;
      }
      if (current != null) {
        current.close();
        session = null;
      }
      try {
        session = bind();
        lastBindError = null;
        backoff = Duration.ofMillis(200);
        log.info("bound to SMSC {}:{} as {}", host, port, config.systemId());
      } catch (IOException e) {
        lastBindError = describeBindFailure(e);
        log.warn(
            "SMSC {}:{} bind failed ({}); retrying in {} ms",
            host,
            port,
            lastBindError,
            backoff.toMillis());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private SMPPSession bind() throws IOException {
    var candidate = new SMPPSession();
    candidate.setTransactionTimer(config.responseTimeout().toMillis());
    candidate.setEnquireLinkTimer((int) config.enquireLinkInterval().toMillis());
    candidate.setPduProcessorDegree(Math.max(2, Math.min(config.window(), 16)));
    candidate.setMessageReceiverListener(new Receiver());
    candidate.addSessionStateListener(this::onStateChange);
    try {
      candidate.connectAndBind(
          host,
          port,
          new BindParameter(
              BindType.BIND_TRX,
              config.systemId(),
              config.password(),
              config.systemType(),
              TypeOfNumber.UNKNOWN,
              NumberingPlanIndicator.UNKNOWN,
              null),
          config.responseTimeout().toMillis());
      return candidate;
    } catch (IOException e) {
      candidate.close();
      throw e;
    }
  }

  private static String describeBindFailure(IOException e) {
    Throwable cause = e.getCause();
    if (cause instanceof NegativeResponseException negative) {
      return "bind refused with " + CommandStatus.describe(negative.getCommandStatus());
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private void onStateChange(SessionState newState, SessionState oldState, Session source) {
    if (newState == SessionState.CLOSED && !closed) {
      log.warn("SMSC {}:{} session closed; rebinding", host, port);
      lock.lock();
      try {
        sessionLost.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public boolean ready() {
    SMPPSession current = session;
    return current != null && current.getSessionState().isBound();
  }

  /** Why the gateway is not ready, or null. */
  public String notReadyReason() {
    return ready() ? null : lastBindError;
  }

  @Override
  public CompletableFuture<SmsSubmitResult> submit(OutboundSms sms) {
    if (!ready()) {
      return CompletableFuture.completedFuture(
          new SmsSubmitResult.RetryLater(
              "not bound to SMSC " + host + ":" + port + " (" + lastBindError + ")"));
    }
    return CompletableFuture.supplyAsync(() -> submitInWindow(sms), submitters);
  }

  private SmsSubmitResult submitInWindow(OutboundSms sms) {
    try {
      window.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new SmsSubmitResult.RetryLater("interrupted while waiting for the SMPP window");
    }
    try {
      return submitNow(sms);
    } finally {
      window.release();
    }
  }

  private SmsSubmitResult submitNow(OutboundSms sms) {
    SMPPSession current = session;
    if (current == null || !current.getSessionState().isBound()) {
      return new SmsSubmitResult.RetryLater("SMSC " + host + ":" + port + " connection lost");
    }
    String text = sms.text();
    boolean gsm = Gsm7.canEncode(text);
    byte[] payload = gsm ? Gsm7.encode(text) : text.getBytes(StandardCharsets.UTF_16BE);
    boolean fitsOne = gsm ? payload.length <= 160 : payload.length <= 140;
    DataCoding coding = new GeneralDataCoding(gsm ? Alphabet.ALPHA_DEFAULT : Alphabet.ALPHA_UCS2);
    Source source = Source.of(config.sourceAddress());
    try {
      SubmitSmResult result =
          current.submitShortMessage(
              "",
              source.ton(),
              source.npi(),
              source.address(),
              TypeOfNumber.INTERNATIONAL,
              NumberingPlanIndicator.ISDN,
              sms.to().startsWith("+") ? sms.to().substring(1) : sms.to(),
              new ESMClass(),
              (byte) 0,
              (byte) 1,
              null,
              null,
              new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE),
              (byte) 0,
              coding,
              (byte) 0,
              fitsOne ? payload : new byte[0],
              fitsOne
                  ? new OptionalParameter[0]
                  : new OptionalParameter[] {
                    new OptionalParameter.OctetString(
                        OptionalParameter.Tag.MESSAGE_PAYLOAD.code(), payload)
                  });
      String id = result.getMessageId();
      return new SmsSubmitResult.Accepted(id, ReceiptKeys.ofResponse(id, config.receiptIds()));
    } catch (NegativeResponseException e) {
      return CommandStatus.toResult(e.getCommandStatus());
    } catch (ResponseTimeoutException e) {
      // The SMSC may have taken it; retrying may send twice. See docs/decisions/0003.
      return new SmsSubmitResult.RetryLater(
          "no submit_sm_resp within " + config.responseTimeout().toMillis() + " ms");
    } catch (PDUException e) {
      return new SmsSubmitResult.Rejected(
          "the SMS cannot be encoded as an SMPP PDU: " + e.getMessage());
    } catch (InvalidResponseException e) {
      return new SmsSubmitResult.RetryLater("invalid submit_sm_resp: " + e.getMessage());
    } catch (IOException e) {
      return new SmsSubmitResult.RetryLater(
          "SMSC " + host + ":" + port + " connection failed: " + e.getMessage());
    }
  }

  /** Source address with TON/NPI from its form: alphanumeric sender, short code or number. */
  private record Source(TypeOfNumber ton, NumberingPlanIndicator npi, String address) {
    static Source of(String raw) {
      if (raw.startsWith("+") && raw.substring(1).chars().allMatch(Character::isDigit)) {
        return new Source(
            TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, raw.substring(1));
      }
      if (!raw.isEmpty() && raw.chars().allMatch(Character::isDigit)) {
        return raw.length() <= 8
            ? new Source(TypeOfNumber.NETWORK_SPECIFIC, NumberingPlanIndicator.UNKNOWN, raw)
            : new Source(TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, raw);
      }
      return new Source(TypeOfNumber.ALPHANUMERIC, NumberingPlanIndicator.UNKNOWN, raw);
    }
  }

  /** Receipts and inbound SMS from the SMSC. */
  private final class Receiver implements MessageReceiverListener {
    @Override
    public void onAcceptDeliverSm(DeliverSm deliverSm) throws ProcessRequestException {
      try {
        if (deliverSm.isSmscDeliveryReceipt()) {
          onReceipt(deliverSm);
        } else {
          onInbound(deliverSm);
        }
      } catch (RuntimeException e) {
        // Answer with a system error so the SMSC redelivers; the detail stays in the log.
        log.error("could not process deliver_sm from {}:{}", host, port, e);
        throw new ProcessRequestException("processing failed", 0x08);
      }
    }

    private void onReceipt(DeliverSm deliverSm) {
      byte[] body = messageBytes(deliverSm);
      String raw = new String(body, StandardCharsets.ISO_8859_1);
      var parsed = DeliveryReceipt.parse(raw);
      if (parsed.isEmpty()) {
        log.warn("unreadable delivery receipt from {}:{}: '{}'", host, port, raw);
        return;
      }
      DeliveryReceipt receipt = parsed.get();
      listener.onReceipt(receipt, ReceiptKeys.ofReceipt(receipt.id()), raw);
    }

    private void onInbound(DeliverSm deliverSm) {
      byte[] body = messageBytes(deliverSm);
      int coding = deliverSm.getDataCoding() & 0xFF;
      String text =
          switch (coding & 0x0F) {
            case 0x08 -> new String(body, StandardCharsets.UTF_16BE);
            case 0x00 -> Gsm7.decode(body);
            default -> new String(body, StandardCharsets.ISO_8859_1);
          };
      listener.onInbound(
          new InboundSms(
              "+" + deliverSm.getSourceAddr().replaceFirst("^\\+", ""),
              deliverSm.getDestAddress(),
              text,
              coding,
              clock.instant()));
    }

    private static byte[] messageBytes(DeliverSm deliverSm) {
      byte[] body = deliverSm.getShortMessage();
      if (body == null || body.length == 0) {
        OptionalParameter payload =
            deliverSm.getOptionalParameter(OptionalParameter.Tag.MESSAGE_PAYLOAD);
        if (payload instanceof OptionalParameter.OctetString octets) {
          return octets.getValue();
        }
        return new byte[0];
      }
      return body;
    }

    @Override
    public void onAcceptAlertNotification(AlertNotification alertNotification) {}

    @Override
    public DataSmResult onAcceptDataSm(DataSm dataSm, Session source)
        throws ProcessRequestException {
      throw new ProcessRequestException("data_sm is not supported", 0x03);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (binder != null) {
      binder.interrupt();
    }
    SMPPSession current = session;
    if (current != null) {
      current.unbindAndClose();
    }
    submitters.shutdownNow();
  }
}
