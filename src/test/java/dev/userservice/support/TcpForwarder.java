package dev.userservice.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 standing in for a Kubernetes Service: connections to its port go to the
 * current target. {@link #switchTo} points it at another target and cuts the open connections,
 * as the endpoints of a Service change on failover; {@link #hold()} stops relaying (a network that
 * has stopped delivering), and {@link #cutAll()} resets every connection, dropping what was held.
 */
public final class TcpForwarder implements AutoCloseable {
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile int target;
  private volatile boolean holding;

  public TcpForwarder(int target) {
    this.target = target;
    try {
      server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofVirtual().start(this::accept);
  }

  public int port() {
    return server.getLocalPort();
  }

  public void switchTo(int newTarget) {
    target = newTarget;
    cutAll();
  }

  /** Stops moving bytes in both directions; the ends see a silent network. */
  public void hold() {
    holding = true;
  }

  /** Resets every open connection (unsent bytes are lost) and relays again. */
  public void cutAll() {
    for (Socket socket : open) {
      try {
        socket.setSoLinger(true, 0); // RST: whatever the relay held is dropped, not delivered
        socket.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    open.clear();
    holding = false;
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      try {
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 1000);
        open.add(client);
        open.add(upstream);
        Thread.ofVirtual().start(() -> pump(client, upstream));
        Thread.ofVirtual().start(() -> pump(upstream, client));
      } catch (IOException targetDown) {
        // No target: reset the client at once, as a Service without endpoints refuses it. Left
        // open, the client would wait for a server greeting that never comes.
        try {
          client.setSoLinger(true, 0);
          client.close();
        } catch (IOException ignored) {
          // already gone
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        while (holding && !from.isClosed()) {
          Thread.sleep(5);
        }
        if (from.isClosed() || to.isClosed()) {
          return;
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException | InterruptedException e) {
      // the other side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing left to do
    }
    open.remove(socket);
  }

  @Override
  public void close() {
    cutAll();
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
