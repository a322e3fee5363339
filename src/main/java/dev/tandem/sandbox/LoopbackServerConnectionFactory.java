package dev.tandem.sandbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.ServerSocketConnection;

/** jSMPP's server socket, bound to 127.0.0.1 only (jSMPP's default listens on every interface). */
final class LoopbackServerConnectionFactory implements ServerConnectionFactory {
  private volatile int boundPort;

  @Override
  public ServerConnection listen(int port) throws IOException {
    return listen(port, 0, 50);
  }

  @Override
  public ServerConnection listen(int port, int timeout) throws IOException {
    return listen(port, timeout, 50);
  }

  @Override
  public ServerConnection listen(int port, int timeout, int backlog) throws IOException {
    var socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
    socket.setSoTimeout(timeout);
    boundPort = socket.getLocalPort();
    return new ServerSocketConnection(socket);
  }

  int boundPort() {
    return boundPort;
  }
}
