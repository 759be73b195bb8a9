package dev.userservice.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 by hand over a plain socket, for what an HTTP client library hides: partial bodies, keep-alive, closes. */
public final class RawHttp {
  private RawHttp() {
  }

  /** True when the server has closed the connection (read returns -1 or the socket is reset). */
  public static boolean readsEndOfStream(Socket socket, int waitMillis) {
    try {
      socket.setSoTimeout(waitMillis);
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** One whole response (head and the body its Content-Length announces) as text. */
  public static String readResponse(Socket socket) throws IOException {
    socket.setSoTimeout(5000);
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    String lengthLine = head.toString().lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
        .findFirst().orElse("content-length: 0");
    byte[] body = in.readNBytes(Integer.parseInt(lengthLine.substring(lengthLine.indexOf(':') + 1).trim()));
    return head + new String(body, StandardCharsets.UTF_8);
  }

  /** The value of a header of a response read by {@link #readResponse}, or null. */
  public static String header(String response, String name) {
    String head = response.substring(0, Math.max(0, response.indexOf("\r\n\r\n")));
    return head.lines().skip(1).filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
        .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse(null);
  }

  /** The body of a response read by {@link #readResponse}. */
  public static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  public static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
  }
}
