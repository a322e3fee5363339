package dev.tandem.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GeneralDataCoding;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.junit.jupiter.api.Test;

/** The simulator keeps a window of receipts in flight per bind, as a real SMSC does. */
class SmscSimulatorWindowTest {

  @Test
  void receipts_in_flight_per_bind_fill_the_window_and_never_pass_it() throws Exception {
    int window = 6;
    int messages = 15;
    var release = new CountDownLatch(1);
    var inFlight = new AtomicInteger();
    var most = new AtomicInteger();
    var received = new AtomicInteger();
    try (SmscSimulator smsc = SmscSimulator.start(0, Clock.systemUTC(), Duration.ZERO, "DELIVRD")) {
      smsc.receiptWindow(window);
      var session = new SMPPSession();
      session.setPduProcessorDegree(messages + 5);
      session.setMessageReceiverListener(
          new MessageReceiverListener() {
            @Override
            public void onAcceptDeliverSm(DeliverSm deliverSm) {
              most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              try {
                release.await(); // the answer waits: the receipt stays in flight
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              inFlight.decrementAndGet();
              received.incrementAndGet();
            }

            @Override
            public void onAcceptAlertNotification(AlertNotification alertNotification) {}

            @Override
            public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) {
              return null;
            }
          });
      session.setTransactionTimer(30_000);
      session.connectAndBind(
          "127.0.0.1",
          smsc.port(),
          new BindParameter(
              BindType.BIND_TRX,
              "test",
              "test",
              "",
              TypeOfNumber.UNKNOWN,
              NumberingPlanIndicator.UNKNOWN,
              null));
      try {
        for (int i = 0; i < messages; i++) {
          session.submitShortMessage(
              "",
              TypeOfNumber.ALPHANUMERIC,
              NumberingPlanIndicator.UNKNOWN,
              "Test",
              TypeOfNumber.INTERNATIONAL,
              NumberingPlanIndicator.ISDN,
              "1415555" + (1000 + i),
              new ESMClass(),
              (byte) 0,
              (byte) 1,
              null,
              null,
              new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE),
              (byte) 0,
              new GeneralDataCoding(Alphabet.ALPHA_DEFAULT),
              (byte) 0,
              ("message " + i).getBytes(StandardCharsets.ISO_8859_1));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> inFlight.get() == window);
        assertThat(received).hasValue(0);

        release.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == messages);
        assertThat(most).as("the most receipts awaiting an answer at once").hasValue(window);
      } finally {
        release.countDown();
        session.unbindAndClose();
      }
    }
  }
}
