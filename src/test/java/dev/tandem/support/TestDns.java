package dev.tandem.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * A DNS server for tests: UDP on 127.0.0.1, a random port, answering from an in-memory zone built
 * with dnsjava's records. Names it does not hold get NXDOMAIN.
 */
public final class TestDns implements AutoCloseable {
  private final DatagramSocket socket;
  private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public TestDns() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread.ofVirtual().start(this::serve);
  }

  public String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** A TXT record; text longer than 255 characters is split into strings, as DNS requires. */
  public TestDns txt(String name, String text) {
    var strings = new ArrayList<String>();
    for (int i = 0; i < text.length(); i += 255) {
      strings.add(text.substring(i, Math.min(text.length(), i + 255)));
    }
    return add(new TXTRecord(name(name), DClass.IN, 300, strings));
  }

  public TestDns mx(String name, int priority, String target) {
    return add(new MXRecord(name(name), DClass.IN, 300, priority, name(target)));
  }

  public TestDns a(String name, String address) throws IOException {
    return add(new ARecord(name(name), DClass.IN, 300, InetAddress.getByName(address)));
  }

  /** Removes every record of {@code name}. */
  public void remove(String name) {
    zone.remove(name(name));
  }

  private TestDns add(Record record) {
    zone.computeIfAbsent(record.getName(), n -> new java.util.concurrent.CopyOnWriteArrayList<>())
        .add(record);
    return this;
  }

  private static Name name(String name) {
    try {
      return Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private void serve() {
    byte[] buffer = new byte[4096];
    while (!closed) {
      try {
        var packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        Record question = query.getQuestion();
        var response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.addRecord(question, Section.QUESTION);
        List<Record> records = zone.get(question.getName());
        if (records == null) {
          response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
          records.stream()
              .filter(r -> r.getType() == question.getType())
              .forEach(r -> response.addRecord(r, Section.ANSWER));
        }
        byte[] wire = response.toWire();
        socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    socket.close();
  }
}
