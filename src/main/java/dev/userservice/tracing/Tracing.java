package dev.userservice.tracing;

import dev.userservice.config.ConfigException;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The process's OpenTelemetry, configured by the standard OTEL_* variables (OTEL_SERVICE_NAME,
 * OTEL_TRACES_SAMPLER, OTEL_EXPORTER_OTLP_PROTOCOL...). Spans are always made, so that log lines
 * and exemplars carry trace ids and an incoming traceparent is continued, but they are exported
 * over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT (or its traces variant) is set: without it no
 * exporter is built, and a span costs the few objects it is.
 */
public final class Tracing {
  /** The OTEL_* variables the README and the chart use; the SDK reads the rest of the standard set too. */
  public static final Set<String> VARIABLES = Set.of("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
      "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_SERVICE_NAME",
      "OTEL_RESOURCE_ATTRIBUTES", "OTEL_PROPAGATORS", "OTEL_SDK_DISABLED", "OTEL_BSP_SCHEDULE_DELAY");

  private Tracing() {
  }

  public static OpenTelemetrySdk fromEnvironment(Map<String, String> env) {
    for (String name : new String[] {"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"}) {
      if ("grpc".equalsIgnoreCase(env.getOrDefault(name, "").trim())) {
        // The exporter sends with the JDK's HTTP client; gRPC would need another sender (and OkHttp).
        throw new ConfigException(name + "=grpc is not supported: user-service exports OTLP over HTTP "
            + "(http/protobuf, the collector's port 4318)");
      }
    }
    boolean export = isSet(env, "OTEL_EXPORTER_OTLP_ENDPOINT") || isSet(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    return AutoConfiguredOpenTelemetrySdk.builder()
        // Defaults, which OTEL_* variables override.
        .addPropertiesSupplier(() -> Map.of(
            "otel.service.name", "user-service",
            // The SDK's own default is gRPC; this build carries the HTTP sender only.
            "otel.exporter.otlp.protocol", "http/protobuf",
            "otel.traces.exporter", "otlp",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none"))
        // The given variables (the process's own, or a test's), as the SDK's property names.
        .addPropertiesSupplier(() -> asProperties(env))
        // And one rule no variable overrides: no endpoint, no exporter.
        .addPropertiesCustomizer(config -> export ? Map.of() : Map.of("otel.traces.exporter", "none"))
        .disableShutdownHook() // UserService.stop closes it, after the last request was answered
        .build()
        .getOpenTelemetrySdk();
  }

  private static Map<String, String> asProperties(Map<String, String> env) {
    Map<String, String> properties = new HashMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith("OTEL_")) {
        properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    return properties;
  }

  private static boolean isSet(Map<String, String> env, String name) {
    String value = env.get(name);
    return value != null && !value.isBlank();
  }
}
