package dev.userservice.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.userservice.config.BuildInfo;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * GET /openapi.yaml, /openapi.json and /docs (Swagger UI from its webjar). Every file is read
 * from the classpath on its first request, off the event loop, and then served from memory: the
 * Swagger UI bundle is 1.5 MB that a service which is never browsed should not load at start.
 */
final class DocumentationHandlers {
  private static final String YAML = "openapi.yaml";

  /** A file of the /docs page: where it is on the classpath, and its type. */
  private record Asset(String resource, String type) {
    static Asset swaggerUi(String file, String type) {
      return new Asset("META-INF/resources/webjars/swagger-ui/" + BuildInfo.get("swagger.ui.version") + "/" + file,
          type);
    }
  }

  /**
   * The files /docs/{file} serves; nothing else, so no path can reach further. Made on the first
   * request for one, so a service that is never browsed reads nothing for it.
   */
  private static final class Assets {
    static final Map<String, Asset> BY_NAME = Map.of(
        "swagger-ui.css", Asset.swaggerUi("swagger-ui.css", "text/css; charset=utf-8"),
        "swagger-ui-bundle.js", Asset.swaggerUi("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        "favicon-32x32.png", Asset.swaggerUi("favicon-32x32.png", "image/png"),
        "init.js", new Asset("docs/init.js", "text/javascript; charset=utf-8"));
  }
  /** Shared by every event loop's router: one copy of each file per process. */
  private static final Map<String, Buffer> LOADED = new ConcurrentHashMap<>();

  void yaml(RoutingContext ctx) {
    serve(ctx, YAML, "application/yaml; charset=utf-8", () -> read(YAML));
  }

  void json(RoutingContext ctx) {
    serve(ctx, "openapi.json", "application/json; charset=utf-8", DocumentationHandlers::yamlAsJson);
  }

  /**
   * The browser itself holds the page to this host: scripts, styles, images and the document it
   * fetches may come from here only (Swagger UI sets some styles inline and draws icons as data: URLs).
   */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

  void page(RoutingContext ctx) {
    ctx.response().putHeader("content-security-policy", CONTENT_SECURITY_POLICY);
    serve(ctx, "docs/index.html", "text/html; charset=utf-8", () -> read("docs/index.html"));
  }

  void asset(RoutingContext ctx) {
    Asset asset = Assets.BY_NAME.get(ctx.pathParam("file"));
    if (asset == null) {
      Responses.message(ctx, 404, "not found");
      return;
    }
    ctx.response().putHeader("cache-control", "max-age=3600");
    serve(ctx, asset.resource(), asset.type(), () -> read(asset.resource()));
  }

  private static void serve(RoutingContext ctx, String name, String type, Supplier<byte[]> loader) {
    Buffer cached = LOADED.get(name);
    var loaded = cached != null
        ? Future.succeededFuture(cached)
        : ctx.vertx().executeBlocking(() -> LOADED.computeIfAbsent(name, n -> Buffer.buffer(loader.get())), false);
    loaded.onSuccess(body -> {
      if (!ctx.response().ended()) {
        ctx.response().putHeader("content-type", type).end(body);
      }
    }).onFailure(ctx::fail);
  }

  /** The JSON form is made from the YAML, so the document is written once. */
  private static byte[] yamlAsJson() {
    try {
      Object document = new ObjectMapper(new YAMLFactory()).readValue(read(YAML), Object.class);
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(String resource) {
    try (InputStream in = DocumentationHandlers.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing from the classpath: " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
