package dev.tandem.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An SMTP client that sends bytes as given (NUL, bare LF, 24 MB bodies) and shows every reply code,
 * for tests of the inbound SMTP server. Lines of the message must already end in CRLF; dots at the
 * start of a line are stuffed here.
 */
public final class RawSmtp implements AutoCloseable {
  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  /** The last reply line read, e.g. {@code 250 Ok}. */
  public String lastReply = "";

  private RawSmtp(Socket socket) throws IOException {
    this.socket = socket;
    this.in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    this.out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
  }

  /** Connects from {@code from} (any 127.x.y.z works on Linux) with a read timeout. */
  public static RawSmtp connect(String from, int port, int timeoutMillis) throws IOException {
    var socket = new Socket();
    socket.setSoTimeout(timeoutMillis);
    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
    return new RawSmtp(socket);
  }

  /** The greeting's reply code (220, or 421 when the server turns the connection away). */
  public int greeting() throws IOException {
    return reply();
  }

  public int command(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return reply();
  }

  /** MAIL, RCPT, DATA and the message; the code of the answer to the final dot. */
  public int send(String from, String to, InputStream message) throws IOException {
    int code = command("MAIL FROM:<" + from + ">");
    if (code != 250) {
      return code;
    }
    code = command("RCPT TO:<" + to + ">");
    if (code != 250) {
      return code;
    }
    code = command("DATA");
    if (code != 354) {
      return code;
    }
    byte[] buffer = new byte[64 * 1024];
    boolean lineStart = true;
    for (int n; (n = message.read(buffer)) > 0; ) {
      int written = 0;
      for (int i = 0; i < n; i++) {
        if (lineStart && buffer[i] == '.') {
          out.write(buffer, written, i - written);
          out.write('.');
          written = i;
        }
        lineStart = buffer[i] == '\n';
      }
      out.write(buffer, written, n - written);
    }
    out.write((lineStart ? ".\r\n" : "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return reply();
  }

  /** Waits for a reply the server sends unasked (421 when it closes an idle connection). */
  public int nextReply() throws IOException {
    return reply();
  }

  private int reply() throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("the server closed the connection");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    lastReply = line;
    return Integer.parseInt(line.substring(0, 3));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
