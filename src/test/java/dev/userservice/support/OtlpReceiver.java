package dev.userservice.support;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A trace collector for tests: OTLP over HTTP with protobuf bodies on 127.0.0.1 and a free port,
 * decoding what it receives with the official OTLP message classes and keeping every span.
 */
public final class OtlpReceiver implements AutoCloseable {
  private final HttpServer server;
  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private final List<String> serviceNames = new CopyOnWriteArrayList<>();

  public OtlpReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/v1/traces", exchange -> {
      try (exchange) {
        var request = ExportTraceServiceRequest.parseFrom(exchange.getRequestBody());
        request.getResourceSpansList().forEach(resource -> {
          resource.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
              .forEach(a -> serviceNames.add(a.getValue().getStringValue()));
          resource.getScopeSpansList().forEach(scope -> spans.addAll(scope.getSpansList()));
        });
        byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        exchange.getResponseHeaders().add("content-type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
      }
    });
    server.start();
  }

  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Span> spans() {
    return List.copyOf(spans);
  }

  public List<String> serviceNames() {
    return List.copyOf(serviceNames);
  }

  /** Waits until a span matching {@code wanted} has arrived. */
  public Span await(Predicate<Span> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Span span : spans) {
        if (wanted.test(span)) {
          return span;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no such span arrived in " + timeout + "; got " + spans.stream().map(Span::getName).toList());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
