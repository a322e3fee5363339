package dev.tandem.email.smtp;

import dev.tandem.config.TandemConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One SMTP session with a relay that sends no mail: connect, EHLO, STARTTLS, AUTH, QUIT, each step
 * bounded by the timeout, stopping at the first that fails with the server's reply. It speaks the
 * protocol itself (Jakarta Mail does all steps inside one connect and does not say which failed)
 * and follows the gateway's settings: {@code smtp.startTls}, {@code smtp.implicitTls}, {@code
 * smtp.sslTrust}, {@code smtp.username}/{@code smtp.password}.
 */
public final class RelayProbe {
  /** The steps of the session, in order. */
  public enum Step {
    CONNECT,
    GREETING,
    EHLO,
    STARTTLS,
    AUTH
  }

  /**
   * What the session showed.
   *
   * @param failedAt the step that failed; empty when all passed
   * @param detail the server's reply or the network error at {@code failedAt}, or the last reply
   * @param tls whether the session ran over TLS (implicit or STARTTLS)
   * @param startTlsOffered whether the relay offered STARTTLS
   * @param authenticated whether AUTH succeeded (false when no credentials are configured)
   */
  public record Result(
      Optional<Step> failedAt,
      String detail,
      boolean tls,
      boolean startTlsOffered,
      boolean authenticated) {}

  private final TandemConfig.Smtp config;
  private final Duration timeout;

  public RelayProbe(TandemConfig.Smtp config, Duration timeout) {
    this.config = config;
    this.timeout = timeout;
  }

  public Result probe(String host, int port) {
    var session = new Session(host, port);
    try {
      return session.run();
    } finally {
      session.close();
    }
  }

  /** A reply: its code and its lines without the code. */
  private record Reply(int code, List<String> lines) {
    String text() {
      return code + " " + String.join(" / ", lines);
    }
  }

  /** Thrown inside a session to end it at {@code step}; never leaves this class. */
  private static final class StepFailed extends Exception {
    final Step step;

    StepFailed(Step step, String detail) {
      super(detail, null, false, false);
      this.step = step;
    }
  }

  private final class Session {
    private final String host;
    private final int port;
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;
    private boolean tls;
    private boolean startTlsOffered;
    private boolean authenticated;
    private Step step = Step.CONNECT;

    Session(String host, int port) {
      this.host = host;
      this.port = port;
    }

    Result run() {
      String last = "";
      try {
        connect();
        step = Step.GREETING;
        Reply greeting = expect(220);
        last = greeting.text();
        step = Step.EHLO;
        List<String> extensions = ehlo();
        startTlsOffered = offers(extensions, "STARTTLS");
        if (!tls) {
          step = Step.STARTTLS;
          if (config.startTls() == TandemConfig.StartTls.REQUIRED && !startTlsOffered) {
            throw new StepFailed(
                step, "the relay does not offer STARTTLS (EHLO answered: " + extensions + ")");
          }
          if (config.startTls() != TandemConfig.StartTls.OFF && startTlsOffered) {
            send("STARTTLS");
            expect(220);
            upgrade();
            step = Step.EHLO;
            extensions = ehlo();
          }
        }
        if (config.username().isPresent()) {
          step = Step.AUTH;
          last = authenticate(extensions);
          authenticated = true;
        }
        quit();
        return new Result(Optional.empty(), last, tls, startTlsOffered, authenticated);
      } catch (StepFailed e) {
        return new Result(Optional.of(e.step), e.getMessage(), tls, startTlsOffered, false);
      } catch (SocketTimeoutException e) {
        return new Result(
            Optional.of(step),
            "no answer within " + timeout.toMillis() + " ms",
            tls,
            startTlsOffered,
            false);
      } catch (SSLException e) {
        return new Result(
            Optional.of(Step.STARTTLS),
            "TLS failed: " + rootMessage(e),
            tls,
            startTlsOffered,
            false);
      } catch (IOException e) {
        return new Result(Optional.of(step), rootMessage(e), tls, startTlsOffered, false);
      }
    }

    private void connect() throws IOException {
      socket = new Socket();
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      if (config.implicitTls()) {
        upgrade();
      } else {
        streams();
      }
    }

    private void upgrade() throws IOException {
      SSLSocket secure =
          (SSLSocket)
              tlsFactory(host).createSocket(socket, host, port, true /* close underlying */);
      if (!trusted(host)) {
        var parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(parameters);
      }
      secure.setSoTimeout((int) timeout.toMillis());
      secure.startHandshake();
      socket = secure;
      tls = true;
      streams();
    }

    private void streams() throws IOException {
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      out = socket.getOutputStream();
    }

    private List<String> ehlo() throws IOException, StepFailed {
      var local = socket.getLocalAddress();
      send(
          "EHLO ["
              + (local instanceof java.net.Inet6Address ? "IPv6:" : "")
              + local.getHostAddress()
              + "]");
      Reply reply = expect(250);
      return reply.lines().subList(1, reply.lines().size());
    }

    private String authenticate(List<String> extensions) throws IOException, StepFailed {
      String mechanisms =
          extensions.stream()
              .filter(e -> e.toUpperCase(Locale.ROOT).startsWith("AUTH"))
              .findFirst()
              .map(e -> e.substring(4).strip().toUpperCase(Locale.ROOT))
              .orElse(null);
      if (mechanisms == null) {
        throw new StepFailed(
            Step.AUTH,
            "the relay offers no AUTH"
                + (tls ? "" : " before STARTTLS")
                + " (EHLO answered: "
                + extensions
                + ")");
      }
      String user = config.username().orElseThrow();
      String password = config.password().orElse("");
      List<String> offered = List.of(mechanisms.split("[\\s=]+"));
      Reply reply;
      if (offered.contains("PLAIN")) {
        send("AUTH PLAIN " + base64("\0" + user + "\0" + password));
        reply = read();
      } else if (offered.contains("LOGIN")) {
        send("AUTH LOGIN");
        expect(334);
        send(base64(user));
        expect(334);
        send(base64(password));
        reply = read();
      } else {
        throw new StepFailed(
            Step.AUTH, "the relay offers AUTH " + mechanisms + "; Tandem speaks PLAIN and LOGIN");
      }
      if (reply.code() != 235) {
        throw new StepFailed(Step.AUTH, reply.text());
      }
      return reply.text();
    }

    private void quit() {
      try {
        send("QUIT");
        read();
      } catch (IOException | StepFailed e) {
        // the relay may close first; every step that mattered is done
      }
    }

    private void send(String command) throws IOException {
      out.write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    private Reply expect(int code) throws IOException, StepFailed {
      Reply reply = read();
      if (reply.code() != code) {
        throw new StepFailed(step, reply.text());
      }
      return reply;
    }

    private Reply read() throws IOException, StepFailed {
      var lines = new ArrayList<String>();
      while (true) {
        String line = in.readLine();
        if (line == null) {
          throw new StepFailed(
              step,
              "the relay closed the connection"
                  + (lines.isEmpty() ? "" : " after: " + String.join(" / ", lines)));
        }
        if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)) {
          throw new StepFailed(step, "not an SMTP reply: " + abbreviate(line));
        }
        lines.add(line.length() > 4 ? line.substring(4) : "");
        if (line.length() == 3 || line.charAt(3) == ' ') {
          return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
        }
        if (lines.size() > 100) {
          throw new StepFailed(step, "an endless reply");
        }
      }
    }

    void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // nothing left to do with it
        }
      }
    }
  }

  private static boolean offers(List<String> extensions, String keyword) {
    return extensions.stream()
        .anyMatch(e -> e.toUpperCase(Locale.ROOT).split(" ")[0].equals(keyword));
  }

  /** As Jakarta Mail reads {@code mail.smtp.ssl.trust}: "*" or a space-separated host list. */
  private boolean trusted(String host) {
    String trust = config.sslTrust().strip();
    return !trust.isEmpty() && trust.equals("*") || List.of(trust.split("\\s+")).contains(host);
  }

  private SSLSocketFactory tlsFactory(String host) throws IOException {
    if (!trusted(host)) {
      return (SSLSocketFactory) SSLSocketFactory.getDefault();
    }
    try {
      // hosts listed in smtp.sslTrust are trusted without a CA, as the gateway trusts them
      TrustManager trustListed =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      var context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustListed}, null);
      return context.getSocketFactory();
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("no TLS: " + e.getMessage(), e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String abbreviate(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "…" : text;
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
