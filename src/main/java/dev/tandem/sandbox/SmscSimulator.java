package dev.tandem.sandbox;

import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.Gsm7;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataCoding;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.GeneralDataCoding;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.ServerResponseDeliveryListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.util.MessageId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SMPP v3.4 SMSC on 127.0.0.1 (jSMPP server side) for the sandbox and the tests. It acknowledges
 * {@code submit_sm}, sends a delivery receipt in the de-facto text format after a delay with a
 * configurable {@code stat}, and injects mobile-originated SMS as {@code deliver_sm}. Tests can
 * make it refuse binds, answer with an error status, or send the receipt before the response.
 */
public final class SmscSimulator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmscSimulator.class);
  private static final int KEEP = 10_000;

  /**
   * One submit_sm as the SMSC received it. {@code part}/{@code parts}/{@code reference} describe a
   * part of a concatenated SMS (from its UDH or SAR TLVs); a single SMS is part 1 of 1.
   */
  public record Submitted(
      String messageId,
      String from,
      String to,
      String text,
      int dataCoding,
      int esmClass,
      String concatenation,
      int reference,
      int part,
      int parts,
      String validityPeriod,
      Instant at) {}

  /**
   * How message ids look: the same in response and receipt, or hex then decimal as some SMSCs do.
   */
  public enum IdStyle {
    SAME,
    HEX_RESPONSE_DECIMAL_RECEIPT
  }

  private final SMPPServerSessionListener listener;
  private final int port;
  private final Clock clock;
  private final Thread acceptor;
  private final ScheduledExecutorService receipts = Executors.newScheduledThreadPool(2);
  private final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
  private final Deque<Submitted> received = new ConcurrentLinkedDeque<>();
  private final AtomicInteger receivedCount = new AtomicInteger();

  /** The first id of {@link #reuseIds}: what a simulator that restarts its counter hands out. */
  private static final long FIRST_ID = 0x10000;

  // Every start picks a random 10-digit range, so a restarted simulator does not hand out the ids
  // of the one before it (real SMSCs that restart their counter are what reuseIds() is for).
  private final AtomicLong nextId =
      new AtomicLong(
          java.util.concurrent.ThreadLocalRandom.current()
              .nextLong(1_000_000_000L, 9_000_000_000L));
  private final AtomicInteger failNext = new AtomicInteger();
  private volatile int failStatus;
  private volatile Duration receiptDelay;
  private volatile String receiptStatus;
  private volatile boolean receiptBeforeResponse;
  private volatile String[] requiredCredentials;
  private volatile boolean refuseBinds;
  private volatile IdStyle idStyle = IdStyle.SAME;
  private volatile Duration responseDelay = Duration.ZERO;
  private volatile boolean receiptsInTlvsOnly;
  private final AtomicInteger dropAfter = new AtomicInteger(-1);
  private final java.util.Map<Integer, String> receiptStatusByPart =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile int receiptWindow = 10;
  private final java.util.Map<SMPPServerSession, java.util.concurrent.Semaphore> windows =
      new java.util.concurrent.ConcurrentHashMap<>();

  private SmscSimulator(
      SMPPServerSessionListener listener, int port, Clock clock, Duration delay, String status) {
    this.listener = listener;
    this.port = port;
    this.clock = clock;
    this.receiptDelay = delay;
    this.receiptStatus = status;
    this.acceptor = Thread.ofPlatform().daemon().name("smsc-sim-" + port).start(this::acceptLoop);
  }

  /** Starts on {@code port} (0 = any free port) of 127.0.0.1. */
  public static SmscSimulator start(
      int port, Clock clock, Duration receiptDelay, String receiptStatus) {
    try {
      var sockets = new LoopbackServerConnectionFactory();
      var listener = new SMPPServerSessionListener(port, sockets);
      listener.setPduProcessorDegree(8);
      return new SmscSimulator(listener, sockets.boundPort(), clock, receiptDelay, receiptStatus);
    } catch (IOException e) {
      throw new UncheckedIOException("SMSC simulator cannot listen on port " + port, e);
    }
  }

  public int port() {
    return port;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SMPPServerSession session = listener.accept();
        session.setMessageReceiverListener(new Receiver());
        session.setResponseDeliveryListener(new ReceiptScheduler());
        Thread.ofVirtual().start(() -> awaitBind(session));
      } catch (IOException e) {
        if (!closed) {
          log.warn("SMSC simulator accept failed: {}", e.getMessage());
        }
      }
    }
  }

  private void awaitBind(SMPPServerSession session) {
    try {
      BindRequest request = session.waitForBind(10_000);
      if (refuseBinds) {
        request.reject(0x0D); // ESME_RBINDFAIL; the client closes the connection
        return;
      }
      String[] credentials = requiredCredentials;
      if (credentials != null) {
        if (!credentials[0].equals(request.getSystemId())) {
          request.reject(0x0F); // ESME_RINVSYSID
          return;
        }
        if (!credentials[1].equals(request.getPassword())) {
          request.reject(0x0E); // ESME_RINVPASWD
          return;
        }
      }
      request.accept("tandem-sandbox");
      sessions.add(session);
      session.addSessionStateListener((newState, oldState, source) -> {
        if (!newState.isBound()) {
          sessions.remove(session);
          windows.remove(session);
        }
      });
    } catch (Exception e) {
      log.debug("SMSC simulator bind did not complete: {}", e.getMessage());
      session.close();
    }
  }

  private final class Receiver implements ServerMessageReceiverListener {
    @Override
    public SubmitSmResult onAcceptSubmitSm(SubmitSm submitSm, SMPPServerSession session)
        throws ProcessRequestException {
      if (failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        throw new ProcessRequestException("simulated failure", failStatus);
      }
      if (dropAfter.get() >= 0 && dropAfter.getAndDecrement() == 0) {
        // a connection that dies with submits in flight: no response, socket closed
        session.close();
        throw new ProcessRequestException("connection dropped", 0x08);
      }
      if (!responseDelay.isZero()) {
        try {
          Thread.sleep(responseDelay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      long n = nextId.getAndIncrement();
      String responseId = idStyle == IdStyle.SAME ? Long.toString(n) : Long.toHexString(n);
      var submitted = decode(submitSm, responseId, clock.instant());
      received.addLast(submitted);
      receivedCount.incrementAndGet();
      // size() walks the whole deque; the count does not
      if (receivedCount.get() > KEEP) {
        received.pollFirst();
      }
      if (receiptBeforeResponse) {
        sendReceipt(session, submitted);
      }
      try {
        return new SubmitSmResult(new MessageId(responseId), new OptionalParameter[0]);
      } catch (org.jsmpp.PDUStringException e) {
        throw new ProcessRequestException("bad message id", 0x08);
      }
    }

    @Override
    public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("submit_multi not supported", 0x03);
    }

    @Override
    public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("query_sm not supported", 0x03);
    }

    @Override
    public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("replace_sm not supported", 0x03);
    }

    @Override
    public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("cancel_sm not supported", 0x03);
    }

    @Override
    public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("broadcast_sm not supported", 0x03);
    }

    @Override
    public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancel, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("cancel_broadcast_sm not supported", 0x03);
    }

    @Override
    public QueryBroadcastSmResult onAcceptQueryBroadcastSm(
        QueryBroadcastSm query, SMPPServerSession source) throws ProcessRequestException {
      throw new ProcessRequestException("query_broadcast_sm not supported", 0x03);
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm dataSm, Session source)
        throws ProcessRequestException {
      throw new ProcessRequestException("data_sm not supported", 0x03);
    }
  }

  private static Submitted decode(SubmitSm submitSm, String messageId, Instant at) {
    byte[] body = submitSm.getShortMessage();
    String concatenation = "none";
    if (body == null || body.length == 0) {
      OptionalParameter payload =
          submitSm.getOptionalParameter(OptionalParameter.Tag.MESSAGE_PAYLOAD);
      body =
          payload instanceof OptionalParameter.OctetString octets ? octets.getValue() : new byte[0];
      concatenation = body.length > 0 ? "payload" : "none";
    }
    int reference = 0;
    int part = 1;
    int parts = 1;
    if ((submitSm.getEsmClass() & 0x40) != 0
        && body.length >= 6
        && body[0] == 0x05
        && body[1] == 0x00) {
      reference = body[3] & 0xFF;
      parts = body[4] & 0xFF;
      part = body[5] & 0xFF;
      body = java.util.Arrays.copyOfRange(body, 6, body.length);
      concatenation = "udh";
    } else if (submitSm.getOptionalParameter(OptionalParameter.Tag.SAR_MSG_REF_NUM)
            instanceof OptionalParameter.Short ref
        && submitSm.getOptionalParameter(OptionalParameter.Tag.SAR_TOTAL_SEGMENTS)
            instanceof OptionalParameter.Byte total
        && submitSm.getOptionalParameter(OptionalParameter.Tag.SAR_SEGMENT_SEQNUM)
            instanceof OptionalParameter.Byte seq) {
      reference = ref.getValue() & 0xFFFF;
      parts = total.getValue() & 0xFF;
      part = seq.getValue() & 0xFF;
      concatenation = "sar";
    }
    String text =
        switch (submitSm.getDataCoding() & 0x0F) {
          case 0x08 -> new String(body, StandardCharsets.UTF_16BE);
          case 0x00 -> Gsm7.decode(body);
          default -> new String(body, StandardCharsets.ISO_8859_1);
        };
    return new Submitted(
        messageId,
        submitSm.getSourceAddr(),
        "+" + submitSm.getDestAddress(),
        text,
        submitSm.getDataCoding() & 0xFF,
        submitSm.getEsmClass() & 0xFF,
        concatenation,
        reference,
        part,
        parts,
        submitSm.getValidityPeriod(),
        at);
  }

  private final class ReceiptScheduler implements ServerResponseDeliveryListener {
    @Override
    public void onSubmitSmRespSent(SubmitSmResult result, SMPPServerSession session) {
      if (receiptBeforeResponse) {
        return;
      }
      Optional<Submitted> submitted = find(result.getMessageId());
      submitted.ifPresent(s ->
          receipts.schedule(
              () -> sendReceipt(session, s), receiptDelay.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public void onSubmitSmRespError(
        SubmitSmResult result, Exception e, SMPPServerSession session) {}

    @Override
    public void onSubmitMultiRespSent(SubmitMultiResult result, SMPPServerSession session) {}

    @Override
    public void onSubmitMultiRespError(
        SubmitMultiResult result, Exception e, SMPPServerSession session) {}
  }

  private Optional<Submitted> find(String messageId) {
    var it = received.descendingIterator();
    while (it.hasNext()) {
      Submitted s = it.next();
      if (s.messageId().equals(messageId)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * Like a real SMSC, a receipt whose connection is gone waits for the next bind of the client and
   * goes out on it.
   */
  private void sendReceipt(SMPPServerSession original, Submitted submitted) {
    SMPPServerSession session = original;
    if (!session.getSessionState().isReceivable()) {
      session = receivingSession();
    }
    if (session == null) {
      if (!closed) {
        receipts.schedule(() -> sendReceipt(original, submitted), 100, TimeUnit.MILLISECONDS);
      }
      return;
    }
    sendReceiptOn(session, submitted);
  }

  /**
   * Sends on a virtual thread once the session's window has room: like a real SMSC, at most {@link
   * #receiptWindow} receipts await their {@code deliver_sm_resp} per bind, the rest wait in order.
   */
  private void sendReceiptOn(SMPPServerSession session, Submitted submitted) {
    java.util.concurrent.Semaphore window =
        windows.computeIfAbsent(
            session, s -> new java.util.concurrent.Semaphore(receiptWindow, true));
    Thread.ofVirtual()
        .name("smsc-sim-receipt")
        .start(() -> {
          window.acquireUninterruptibly();
          try {
            deliverReceipt(session, submitted);
          } finally {
            window.release();
          }
        });
  }

  private void deliverReceipt(SMPPServerSession session, Submitted submitted) {
    String id =
        idStyle == IdStyle.SAME
            ? submitted.messageId()
            : new BigInteger(submitted.messageId(), 16).toString(10);
    LocalDateTime at = LocalDateTime.ofInstant(submitted.at(), ZoneOffset.UTC);
    String status = receiptStatusByPart.getOrDefault(submitted.part(), receiptStatus);
    String err =
        DeliveryReceipt.outcomeOf(status) == DeliveryReceipt.Outcome.DELIVERED ? "000" : "001";
    String text =
        DeliveryReceipt.format(
            id,
            at,
            LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC),
            status,
            err,
            submitted.text());
    try {
      session.deliverShortMessage(
          "",
          TypeOfNumber.INTERNATIONAL,
          NumberingPlanIndicator.ISDN,
          submitted.to().substring(1),
          TypeOfNumber.ALPHANUMERIC,
          NumberingPlanIndicator.UNKNOWN,
          submitted.from(),
          new ESMClass(
              MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
          (byte) 0,
          (byte) 0,
          new RegisteredDelivery(0),
          new GeneralDataCoding(Alphabet.ALPHA_DEFAULT),
          receiptsInTlvsOnly ? new byte[0] : text.getBytes(StandardCharsets.ISO_8859_1),
          receiptsInTlvsOnly
              ? new OptionalParameter[] {
                new OptionalParameter.COctetString(
                    OptionalParameter.Tag.RECEIPTED_MESSAGE_ID.code(), id),
                new OptionalParameter.Byte(
                    OptionalParameter.Tag.MESSAGE_STATE.code(), messageState(status))
              }
              : new OptionalParameter[0]);
    } catch (Exception e) {
      // the connection went away under us: queue it for the next bind, as an SMSC does
      log.debug(
          "SMSC simulator will retry the receipt for {}: {}",
          submitted.messageId(),
          e.getMessage());
      if (!closed) {
        receipts.schedule(() -> sendReceipt(session, submitted), 100, TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * Sends a mobile-originated SMS to a bound client as {@code deliver_sm}; a text longer than one
   * SMS goes as UDH parts, last part first (handsets' parts arrive in any order). Returns false
   * when no client is bound.
   */
  public boolean injectMo(String from, String to, String text) {
    if (receivingSession() == null) {
      return false;
    }
    var sms = dev.tandem.sms.SmsText.of(text, false);
    boolean gsm = sms.encoding() == dev.tandem.sms.SmsEncoding.GSM7;
    byte coding = gsm ? (byte) 0x00 : (byte) 0x08;
    int reference = (int) (nextId.get() & 0xFF);
    for (int seq = sms.segments(); seq >= 1; seq--) {
      String part = sms.parts().get(seq - 1);
      byte[] body = gsm ? Gsm7.encode(part) : part.getBytes(StandardCharsets.UTF_16BE);
      byte esm = 0;
      if (sms.segments() > 1) {
        byte[] udh = {0x05, 0x00, 0x03, (byte) reference, (byte) sms.segments(), (byte) seq};
        body = java.nio.ByteBuffer.allocate(udh.length + body.length).put(udh).put(body).array();
        esm = 0x40;
      }
      injectRaw(from, to, coding, esm, body);
    }
    return true;
  }

  /** Sends a deliver_sm with exactly these fields, for tests of what Tandem does with odd input. */
  public void injectRaw(String from, String to, byte dataCoding, byte esmClass, byte[] body) {
    SMPPServerSession session = receivingSession();
    // as an SMSC would: short codes are network-specific, other digits international
    TypeOfNumber ton =
        from.matches("[0-9]{3,8}")
            ? TypeOfNumber.NETWORK_SPECIFIC
            : from.matches("\\+?[0-9]+") ? TypeOfNumber.INTERNATIONAL : TypeOfNumber.ALPHANUMERIC;
    try {
      session.deliverShortMessage(
          "",
          ton,
          ton == TypeOfNumber.ALPHANUMERIC
              ? NumberingPlanIndicator.UNKNOWN
              : NumberingPlanIndicator.ISDN,
          from.replaceFirst("^\\+", ""),
          TypeOfNumber.UNKNOWN,
          NumberingPlanIndicator.UNKNOWN,
          to,
          new ESMClass(esmClass),
          (byte) 0,
          (byte) 0,
          new RegisteredDelivery(0),
          new RawCoding(dataCoding),
          body);
    } catch (Exception e) {
      throw new IllegalStateException(
          "the SMSC simulator could not deliver the MO: " + e.getMessage(), e);
    }
  }

  /**
   * Sends a delivery receipt with this exact text (for tests of unreadable or unknown receipts).
   */
  public void injectReceiptText(String text) {
    SMPPServerSession session = receivingSession();
    try {
      session.deliverShortMessage(
          "",
          TypeOfNumber.INTERNATIONAL,
          NumberingPlanIndicator.ISDN,
          "15550000000",
          TypeOfNumber.ALPHANUMERIC,
          NumberingPlanIndicator.UNKNOWN,
          "Tandem",
          new ESMClass(
              MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
          (byte) 0,
          (byte) 0,
          new RegisteredDelivery(0),
          new GeneralDataCoding(Alphabet.ALPHA_DEFAULT),
          text.getBytes(StandardCharsets.ISO_8859_1));
    } catch (Exception e) {
      throw new IllegalStateException(
          "the SMSC simulator could not deliver the receipt: " + e.getMessage(), e);
    }
  }

  private record RawCoding(byte value) implements DataCoding {
    @Override
    public byte toByte() {
      return value;
    }
  }

  /** A bound session that may receive deliver_sm (receiver or transceiver), or null. */
  private SMPPServerSession receivingSession() {
    for (SMPPServerSession session : sessions) {
      if (session.getSessionState().isReceivable()) {
        return session;
      }
    }
    return null;
  }

  /** What the SMSC received, oldest first (the last 10,000). */
  public List<Submitted> received() {
    return new ArrayList<>(received);
  }

  public int receivedCount() {
    return receivedCount.get();
  }

  public int boundSessions() {
    return sessions.size();
  }

  /** The next {@code count} submits are answered with {@code commandStatus} instead of accepted. */
  public void failNextSubmits(int count, int commandStatus) {
    this.failStatus = commandStatus;
    this.failNext.set(count);
  }

  public void receiptStatus(String stat) {
    this.receiptStatus = stat;
  }

  /**
   * How many receipts may await their {@code deliver_sm_resp} at once on one bind (10 unless set;
   * applies to binds made after the call).
   */
  public void receiptWindow(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("receipt window " + window + " must be at least 1");
    }
    this.receiptWindow = window;
  }

  public void receiptDelay(Duration delay) {
    this.receiptDelay = delay;
  }

  /** Sends each receipt before the {@code submit_sm_resp} it belongs to. */
  public void receiptBeforeResponse(boolean value) {
    this.receiptBeforeResponse = value;
  }

  /** Sends receipts with an empty text and only the receipted_message_id/message_state TLVs. */
  public void receiptsInTlvsOnly(boolean value) {
    this.receiptsInTlvsOnly = value;
  }

  private static byte messageState(String stat) {
    return switch (stat) {
      case "ENROUTE" -> 1;
      case "DELIVRD" -> 2;
      case "EXPIRED" -> 3;
      case "DELETED" -> 4;
      case "UNDELIV" -> 5;
      case "ACCEPTD" -> 6;
      case "REJECTD" -> 8;
      default -> 7;
    };
  }

  /** Waits this long before answering each submit_sm. */
  public void responseDelay(Duration delay) {
    this.responseDelay = delay;
  }

  /** After {@code submits} more submits, the next one closes the connection unanswered. */
  public void dropConnectionAfter(int submits) {
    this.dropAfter.set(submits);
  }

  /** Receipts for part {@code part} of concatenated SMS carry {@code stat}. */
  public void receiptStatusForPart(int part, String stat) {
    receiptStatusByPart.put(part, stat);
  }

  /**
   * Binds must name this system_id and password from now on (any are accepted unless this is
   * called), or are refused with ESME_RINVSYSID or ESME_RINVPASWD as an SMSC does.
   */
  public void requireCredentials(String systemId, String password) {
    this.requiredCredentials = new String[] {systemId, password};
  }

  public void refuseBinds(boolean value) {
    this.refuseBinds = value;
  }

  /**
   * Hands out ids from the same first id as every other simulator that was told so, as an SMSC that
   * restarts its counter does. Call before the first submit.
   */
  public void reuseIds() {
    nextId.set(FIRST_ID);
  }

  public void idStyle(IdStyle style) {
    this.idStyle = style;
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      log.debug("closing SMSC simulator listener: {}", e.getMessage());
    }
    for (SMPPServerSession session : sessions) {
      session.unbindAndClose();
    }
    sessions.clear();
    receipts.shutdownNow();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
