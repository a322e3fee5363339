package dev.tandem.sms.smpp;

import dev.tandem.config.TandemConfig;
import dev.tandem.config.TandemConfig.DefaultAlphabet;
import dev.tandem.config.TandemConfig.LongMessages;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.Gsm7;
import dev.tandem.sms.OutboundSms;
import dev.tandem.sms.ReceiptKeys;
import dev.tandem.sms.SenderType;
import dev.tandem.sms.SmsEncoding;
import dev.tandem.sms.SmsGateway;
import dev.tandem.sms.SmsSubmitResult;
import dev.tandem.sms.SmsText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
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
 * SMS over SMPP v3.4 with jSMPP: {@code smpp.binds} transceiver binds to one SMSC, each kept up by
 * a background binder that rebinds with backoff. Submits are pipelined: per bind up to {@code
 * smpp.window} await their {@code submit_sm_resp} at once, spaced by {@code smpp.maxPerSecond}.
 * Long texts go as UDH parts (default), SAR parts or one {@code message_payload}. No jSMPP type
 * leaves this package.
 */
public final class SmppGateway implements SmsGateway {
  private static final Logger log = LoggerFactory.getLogger(SmppGateway.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final int PART_RETRIES = 3;

  private final String host;
  private final int port;
  private final TandemConfig.Smpp config;
  private final Listener listener;
  private final Clock clock;
  private final String keyPrefix;
  private final List<Bind> binds = new ArrayList<>();
  private final ExecutorService submitters = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger nextBind = new AtomicInteger();
  private final AtomicInteger nextReference = new AtomicInteger();
  private volatile boolean closed;

  public SmppGateway(
      String host, int port, TandemConfig.Smpp config, Listener listener, Clock clock) {
    this(host, port, config, listener, clock, "");
  }

  /**
   * @param keyPrefix put before every receipt key, so that ids of two SMSCs cannot collide (empty
   *     for the default SMSC)
   */
  public SmppGateway(
      String host,
      int port,
      TandemConfig.Smpp config,
      Listener listener,
      Clock clock,
      String keyPrefix) {
    this.keyPrefix = keyPrefix;
    this.host = host;
    this.port = port;
    this.config = config;
    this.listener = listener;
    this.clock = clock;
    for (int i = 0; i < config.binds(); i++) {
      binds.add(new Bind(i));
    }
  }

  @Override
  public void start() {
    binds.forEach(Bind::start);
  }

  @Override
  public boolean ready() {
    return binds.stream().anyMatch(Bind::bound);
  }

  @Override
  public Load load() {
    int bound = 0, inFlight = 0;
    for (Bind bind : binds) {
      bound += bind.bound() ? 1 : 0;
      inFlight += config.window() - bind.window.availablePermits();
    }
    return new Load(binds.size(), bound, binds.size() * config.window(), inFlight);
  }

  /** Why the gateway is not ready, or null. */
  public String notReadyReason() {
    return ready() ? null : binds.get(0).lastBindError;
  }

  @Override
  public CompletableFuture<SmsSubmitResult> submit(OutboundSms sms) {
    if (!ready()) {
      return CompletableFuture.completedFuture(
          new SmsSubmitResult.RetryLater(
              "not bound to SMSC " + host + ":" + port + " (" + binds.get(0).lastBindError + ")"));
    }
    return CompletableFuture.supplyAsync(() -> submitAllParts(sms), submitters);
  }

  /** One wire message: what one submit_sm carries. */
  private record Wire(
      byte[] shortMessage, byte esmClass, byte dataCoding, OptionalParameter[] tlvs) {}

  private SmsSubmitResult submitAllParts(OutboundSms sms) {
    List<Wire> wires;
    try {
      wires = wires(SmsText.of(sms.text(), sms.substitute()));
    } catch (IllegalArgumentException e) {
      return new SmsSubmitResult.Rejected("the SMS cannot be encoded: " + e.getMessage());
    }
    var parts = new ArrayList<SmsSubmitResult.Part>(wires.size());
    for (int i = 0; i < wires.size(); i++) {
      SmsSubmitResult result = submitPart(sms, wires.get(i), i + 1);
      // A transient failure after earlier parts went out: retry this part in place, so that a
      // retry of the whole delivery does not send the earlier parts twice.
      for (int retry = 1;
          i > 0 && retry <= PART_RETRIES && result instanceof SmsSubmitResult.RetryLater;
          retry++) {
        try {
          Thread.sleep(Duration.ofMillis(100L << retry));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        result = submitPart(sms, wires.get(i), i + 1);
      }
      switch (result) {
        case SmsSubmitResult.Accepted accepted -> parts.addAll(accepted.parts());
        case SmsSubmitResult.Rejected rejected -> {
          return wires.size() == 1
              ? rejected
              : new SmsSubmitResult.Rejected(
                  "part " + (i + 1) + " of " + wires.size() + ": " + rejected.reason());
        }
        case SmsSubmitResult.RetryLater retryLater -> {
          return wires.size() == 1 || i == 0
              ? retryLater
              : new SmsSubmitResult.RetryLater(
                  "part "
                      + (i + 1)
                      + " of "
                      + wires.size()
                      + " (earlier parts were sent and will be sent again): "
                      + retryLater.reason());
        }
      }
    }
    return new SmsSubmitResult.Accepted(parts);
  }

  private List<Wire> wires(SmsText text) {
    boolean latin1 = config.defaultAlphabet() == DefaultAlphabet.LATIN1;
    if (text.encoding() == SmsEncoding.GSM7 && latin1 && !isLatin1(text.transmitted())) {
      text = text.asUcs2(); // e.g. Greek capitals or €: no Latin-1 code for them
    }
    SmsEncoding encoding = text.encoding();
    byte dataCoding =
        encoding == SmsEncoding.UCS2 ? (byte) 0x08 : latin1 ? (byte) 0x03 : (byte) 0x00;
    var wires = new ArrayList<Wire>();
    if (text.segments() == 1 || config.longMessages() == LongMessages.PAYLOAD) {
      byte[] bytes = encode(text.transmitted(), encoding, latin1);
      boolean fits = text.segments() == 1;
      wires.add(
          new Wire(
              fits ? bytes : new byte[0],
              (byte) 0,
              dataCoding,
              fits
                  ? new OptionalParameter[0]
                  : new OptionalParameter[] {
                    new OptionalParameter.OctetString(
                        OptionalParameter.Tag.MESSAGE_PAYLOAD.code(), bytes)
                  }));
      return wires;
    }
    int reference = nextReference.getAndIncrement() & 0xFF;
    int total = text.segments();
    for (int seq = 1; seq <= total; seq++) {
      byte[] bytes = encode(text.parts().get(seq - 1), encoding, latin1);
      if (config.longMessages() == LongMessages.UDH) {
        byte[] udh = {0x05, 0x00, 0x03, (byte) reference, (byte) total, (byte) seq};
        byte[] withHeader =
            ByteBuffer.allocate(udh.length + bytes.length).put(udh).put(bytes).array();
        wires.add(new Wire(withHeader, (byte) 0x40, dataCoding, new OptionalParameter[0]));
      } else {
        wires.add(
            new Wire(
                bytes,
                (byte) 0,
                dataCoding,
                new OptionalParameter[] {
                  new OptionalParameter.Short(
                      OptionalParameter.Tag.SAR_MSG_REF_NUM.code(), (short) reference),
                  new OptionalParameter.Byte(
                      OptionalParameter.Tag.SAR_TOTAL_SEGMENTS.code(), (byte) total),
                  new OptionalParameter.Byte(
                      OptionalParameter.Tag.SAR_SEGMENT_SEQNUM.code(), (byte) seq)
                }));
      }
    }
    return wires;
  }

  private static boolean isLatin1(String text) {
    return text.chars().allMatch(c -> c <= 0xFF);
  }

  private static byte[] encode(String text, SmsEncoding encoding, boolean latin1) {
    if (encoding == SmsEncoding.UCS2) {
      return text.getBytes(StandardCharsets.UTF_16BE);
    }
    return latin1 ? text.getBytes(StandardCharsets.ISO_8859_1) : Gsm7.encode(text);
  }

  private SmsSubmitResult submitPart(OutboundSms sms, Wire wire, int seq) {
    Bind bind = pickBind();
    if (bind == null) {
      return new SmsSubmitResult.RetryLater("SMSC " + host + ":" + port + " connection lost");
    }
    try {
      bind.window.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new SmsSubmitResult.RetryLater("interrupted while waiting for the SMPP window");
    }
    try {
      bind.throttle.acquire();
      return bind.submit(sms.to(), sms.from().orElse(config.sourceAddress()), wire, seq);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new SmsSubmitResult.RetryLater("interrupted while throttled");
    } finally {
      bind.window.release();
    }
  }

  /** The next bound bind, round robin; null when none is bound. */
  private Bind pickBind() {
    for (int i = 0; i < binds.size(); i++) {
      Bind bind = binds.get(Math.floorMod(nextBind.getAndIncrement(), binds.size()));
      if (bind.bound()) {
        return bind;
      }
    }
    return null;
  }

  /** SMPP relative validity period: YYMMDDhhmmss000R. */
  static String relativeValidity(Duration duration) {
    long seconds = duration.getSeconds();
    long days = seconds / 86_400;
    return "%02d%02d%02d%02d%02d%02d000R"
        .formatted(0, 0, Math.min(days, 99), seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
  }

  /** One transceiver bind with its window, throttle and binder thread. */
  private final class Bind {
    final int index;
    final Semaphore window = new Semaphore(config.window());
    final Throttle throttle = new Throttle(config.maxPerSecond());
    final ReentrantLock lock = new ReentrantLock();
    final Condition sessionLost = lock.newCondition();
    volatile SMPPSession session;

    /** The receiving half in transmitter-receiver mode; null in transceiver mode. */
    volatile SMPPSession receiver;

    volatile String lastBindError = "not bound yet";
    Thread binder;

    Bind(int index) {
      this.index = index;
    }

    void start() {
      binder =
          Thread.ofVirtual()
              .name("smpp-binder-" + host + ":" + port + "#" + index)
              .start(this::keepBound);
    }

    boolean bound() {
      return isBound(session) && (!splitBinds() || isBound(receiver));
    }

    private boolean splitBinds() {
      return config.bindMode() == TandemConfig.BindMode.TRANSMITTER_RECEIVER;
    }

    private static boolean isBound(SMPPSession session) {
      return session != null && session.getSessionState().isBound();
    }

    void keepBound() {
      Duration backoff = Duration.ofMillis(200);
      while (!closed) {
        if (bound()) {
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
        closeSessions();
        try {
          session = bind(splitBinds() ? BindType.BIND_TX : BindType.BIND_TRX);
          if (splitBinds()) {
            receiver = bind(BindType.BIND_RX);
          }
          lastBindError = null;
          backoff = Duration.ofMillis(200);
          log.info("bound to SMSC {}:{} as {} (bind {})", host, port, config.systemId(), index);
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

    private void closeSessions() {
      for (SMPPSession old : new SMPPSession[] {session, receiver}) {
        if (old != null) {
          old.close();
        }
      }
      session = null;
      receiver = null;
    }

    SMPPSession bind(BindType type) throws IOException {
      var candidate = new SMPPSession();
      candidate.setTransactionTimer(config.responseTimeout().toMillis());
      candidate.setEnquireLinkTimer((int) config.enquireLinkInterval().toMillis());
      // receipts wait for their group commit on these threads: more threads, bigger batches
      candidate.setPduProcessorDegree(Math.max(2, config.window()));
      candidate.setMessageReceiverListener(new Receiver());
      candidate.addSessionStateListener(this::onStateChange);
      try {
        candidate.connectAndBind(
            host,
            port,
            new BindParameter(
                type,
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

    void onStateChange(SessionState newState, SessionState oldState, Session source) {
      if (newState == SessionState.CLOSED && !closed) {
        log.warn("SMSC {}:{} session closed (bind {}); rebinding", host, port, index);
        lock.lock();
        try {
          sessionLost.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }

    SmsSubmitResult submit(String to, String from, Wire wire, int seq) {
      SMPPSession current = session;
      if (current == null || !current.getSessionState().isBound()) {
        return new SmsSubmitResult.RetryLater("SMSC " + host + ":" + port + " connection lost");
      }
      Source source = Source.of(from);
      try {
        SubmitSmResult result =
            current.submitShortMessage(
                "",
                source.ton(),
                source.npi(),
                source.address(),
                TypeOfNumber.INTERNATIONAL,
                NumberingPlanIndicator.ISDN,
                to.startsWith("+") ? to.substring(1) : to,
                new ESMClass(wire.esmClass()),
                (byte) 0,
                (byte) 1,
                null,
                config.validityPeriod().map(SmppGateway::relativeValidity).orElse(null),
                new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE),
                (byte) 0,
                new RawDataCoding(wire.dataCoding()),
                (byte) 0,
                wire.shortMessage(),
                wire.tlvs());
        String id = result.getMessageId();
        return new SmsSubmitResult.Accepted(
            List.of(
                new SmsSubmitResult.Part(
                    seq, id, keyPrefix + ReceiptKeys.ofResponse(id, config.receiptIds()))));
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

    void close() {
      if (binder != null) {
        binder.interrupt();
      }
      for (SMPPSession current : new SMPPSession[] {session, receiver}) {
        if (current != null) {
          current.unbindAndClose();
        }
      }
    }
  }

  private static String describeBindFailure(IOException e) {
    Throwable cause = e.getCause();
    if (cause instanceof NegativeResponseException negative) {
      return "bind refused with " + CommandStatus.describe(negative.getCommandStatus());
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Source address with TON/NPI from its form: alphanumeric sender, short code or number. */
  private record Source(TypeOfNumber ton, NumberingPlanIndicator npi, String address) {
    static Source of(String raw) {
      return switch (SenderType.of(raw)) {
        case NUMBER ->
            new Source(
                TypeOfNumber.INTERNATIONAL,
                NumberingPlanIndicator.ISDN,
                raw.replaceFirst("^\\+", ""));
        case SHORTCODE ->
            new Source(TypeOfNumber.NETWORK_SPECIFIC, NumberingPlanIndicator.UNKNOWN, raw);
        case ALPHANUMERIC ->
            new Source(TypeOfNumber.ALPHANUMERIC, NumberingPlanIndicator.UNKNOWN, raw);
      };
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
          listener.onInbound(InboundPdu.decode(deliverSm, clock.instant()));
        }
      } catch (InboundPdu.Undecodable e) {
        listener.onUnusable("inbound", deliverSm.getSourceAddr(), e.raw, e.getMessage());
      } catch (RuntimeException e) {
        // Answer with a system error so the SMSC redelivers; the detail stays in the log.
        log.error("could not process deliver_sm from {}:{}", host, port, e);
        throw new ProcessRequestException("processing failed", 0x08);
      }
    }

    private void onReceipt(DeliverSm deliverSm) {
      byte[] body = InboundPdu.messageBytes(deliverSm);
      String raw = new String(body, StandardCharsets.ISO_8859_1);
      var parsed = DeliveryReceipt.parse(raw).or(() -> InboundPdu.receiptFromTlvs(deliverSm, raw));
      if (parsed.isEmpty()) {
        listener.onUnusable(
            "receipt",
            deliverSm.getSourceAddr(),
            raw.isEmpty() ? "(empty)" : raw,
            "unreadable delivery receipt: no id and stat in the text and no receipted_message_id/message_state TLVs");
        return;
      }
      DeliveryReceipt receipt = parsed.get();
      listener.onReceipt(receipt, keyPrefix + ReceiptKeys.ofReceipt(receipt.id()), raw);
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
    if (ready()) {
      log.info("unbinding from SMSC {}:{}", host, port);
    }
    binds.forEach(Bind::close);
    submitters.shutdownNow();
  }
}
