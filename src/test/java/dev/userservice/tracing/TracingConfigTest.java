package dev.userservice.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.userservice.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which OpenTelemetry the OTEL_* variables give: an exporter only with an endpoint. */
class TracingConfigTest {

  @Test
  void withoutAnEndpointNoExporterIsBuilt() {
    try (var sdk = Tracing.fromEnvironment(Map.of())) {
      assertThat(sdk.getSdkTracerProvider().toString()).doesNotContain("Exporter");
    }
    try (var sdk = Tracing.fromEnvironment(Map.of("OTEL_TRACES_EXPORTER", "otlp"))) {
      assertThat(sdk.getSdkTracerProvider().toString()).as("no endpoint, no export, whatever else is set")
          .doesNotContain("Exporter");
    }
  }

  @Test
  void withAnEndpointSpansGoOverOtlpHttp() {
    try (var sdk = Tracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"))) {
      assertThat(sdk.getSdkTracerProvider().toString()).contains("OtlpHttpSpanExporter", "BatchSpanProcessor");
    }
  }

  @Test
  void grpcIsRefusedWithItsReason() {
    assertThatThrownBy(() -> Tracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http/protobuf");
  }
}
