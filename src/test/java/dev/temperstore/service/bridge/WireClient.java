package dev.temperstore.service.bridge;

import io.vertx.core.json.JsonObject;

import javax.net.ssl.SSLSocketFactory;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** One TCP connection speaking the bridge protocol byte by byte, as a client in another language would. */
final class WireClient implements AutoCloseable {

  private final Socket socket;
  private final DataOutputStream out;
  private final DataInputStream in;
  private int replies;

  WireClient(int port) throws IOException {
    this(new Socket("127.0.0.1", port));
  }

  /** With a receive buffer of about {@code bytes}, fixed: a client that does not read soon stops the bridge's writes. */
  static WireClient withReceiveBuffer(int port, int bytes) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(bytes); // before connecting, so the window is small from the start
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
    return new WireClient(socket);
  }

  private WireClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    out = new DataOutputStream(socket.getOutputStream());
    in = new DataInputStream(socket.getInputStream());
  }

  static WireClient tls(SSLSocketFactory factory, int port) throws IOException {
    return new WireClient(factory.createSocket("127.0.0.1", port));
  }

  /** Sends a request with {@code token} (none when null) and returns the frame that answers it. */
  JsonObject request(String address, JsonObject body, String token) throws IOException {
    send(requestFrame(address, body, token));
    return receive();
  }

  JsonObject requestFrame(String address, JsonObject body, String token) {
    JsonObject headers = token == null ? new JsonObject() : new JsonObject().put("authorization", "Bearer " + token);
    return new JsonObject().put("type", "send").put("address", address).put("replyAddress", "reply-" + (++replies))
        .put("body", body).put("headers", headers);
  }

  void send(JsonObject frame) throws IOException {
    sendRaw(frame.encode().getBytes(StandardCharsets.UTF_8));
  }

  void sendRaw(byte[] payload) throws IOException {
    out.writeInt(payload.length);
    out.write(payload);
    out.flush();
  }

  /** Bytes as they are: a length prefix of any value, a frame cut short. */
  void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void readTimeout(int millis) throws SocketException {
    socket.setSoTimeout(millis);
  }

  JsonObject receive() throws IOException {
    int length;
    try {
      length = in.readInt();
    } catch (EOFException e) {
      throw new IOException("connection closed by the bridge", e);
    }
    return new JsonObject(new String(in.readNBytes(length), StandardCharsets.UTF_8));
  }

  /** Whether the bridge has closed the connection: the next read ends the stream (or resets it). */
  boolean closedByBridge() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketException e) {
      return true; // reset: closed while our unread bytes were in flight
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
