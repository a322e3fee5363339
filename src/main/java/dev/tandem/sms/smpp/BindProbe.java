package dev.tandem.sms.smpp;

import dev.tandem.config.TandemConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.connection.socket.SocketConnection;

/**
 * One bind to the SMSC with the configured credentials, one enquire_link round trip, then unbind:
 * whether Tandem could send, without sending. Binds as a transmitter, which an SMSC that limits
 * binds per account counts like any other bind.
 */
public final class BindProbe {
  public enum Step {
    CONNECT,
    BIND,
    ENQUIRE_LINK
  }

  /**
   * @param failedAt the step that failed; empty when all passed
   * @param detail what the SMSC answered: for a refused bind, the command_status by its SMPP name
   * @param commandStatus the refusing command_status, when the SMSC answered one
   * @param systemId the SMSC's system_id from bind_resp, when bound
   */
  public record Result(
      Optional<Step> failedAt,
      String detail,
      Optional<String> commandStatus,
      Optional<String> systemId) {}

  private final TandemConfig.Smpp config;
  private final Duration timeout;

  public BindProbe(TandemConfig.Smpp config, Duration timeout) {
    this.config = config;
    this.timeout = timeout;
  }

  /** Only to reach {@code sendEnquireLink}, which jSMPP keeps for its own timer. */
  private static final class ProbeSession extends SMPPSession {
    ProbeSession(int timeoutMillis) {
      super((host, port) -> {
        var socket = new Socket();
        try {
          socket.connect(new InetSocketAddress(host, port), timeoutMillis);
          socket.setSoTimeout(timeoutMillis);
          return new SocketConnection(socket);
        } catch (IOException e) {
          socket.close();
          throw new ConnectFailed(e);
        }
      });
    }

    void enquireLink() throws Exception {
      sendEnquireLink();
    }
  }

  /** A failed connect, told apart from a failed bind. */
  private static final class ConnectFailed extends IOException {
    ConnectFailed(IOException cause) {
      super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    }
  }

  public Result probe(String host, int port) {
    int millis = (int) timeout.toMillis();
    var session = new ProbeSession(millis);
    session.setTransactionTimer(millis);
    // no enquire_link of its own while the probe runs
    session.setEnquireLinkTimer((int) Duration.ofMinutes(10).toMillis());
    try {
      String systemId;
      try {
        systemId =
            session.connectAndBind(
                host,
                port,
                new BindParameter(
                    BindType.BIND_TX,
                    config.systemId(),
                    config.password(),
                    config.systemType(),
                    TypeOfNumber.UNKNOWN,
                    NumberingPlanIndicator.UNKNOWN,
                    null),
                millis);
      } catch (ConnectFailed e) {
        return failed(Step.CONNECT, e.getMessage(), Optional.empty());
      } catch (IOException e) {
        if (e.getCause() instanceof ConnectFailed) {
          return failed(Step.CONNECT, rootMessage(e), Optional.empty());
        }
        if (e.getCause() instanceof NegativeResponseException negative) {
          int status = negative.getCommandStatus();
          return failed(
              Step.BIND,
              "bind refused with "
                  + CommandStatus.symbol(status)
                  + " ("
                  + CommandStatus.describe(status)
                  + ")",
              Optional.of(CommandStatus.symbol(status)));
        }
        return failed(Step.BIND, rootMessage(e), Optional.empty());
      }
      try {
        session.enquireLink();
      } catch (Exception e) {
        return new Result(
            Optional.of(Step.ENQUIRE_LINK),
            "no enquire_link_resp: " + rootMessage(e),
            Optional.empty(),
            Optional.ofNullable(systemId));
      }
      return new Result(
          Optional.empty(),
          "bound as " + config.systemId() + ", enquire_link answered",
          Optional.empty(),
          Optional.ofNullable(systemId));
    } finally {
      session.unbindAndClose();
    }
  }

  private static Result failed(Step step, String detail, Optional<String> status) {
    return new Result(Optional.of(step), detail, status, Optional.empty());
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
