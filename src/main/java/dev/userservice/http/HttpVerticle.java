package dev.userservice.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One HTTP server on one event loop. Main deploys one per core; Vert.x spreads the
 * connections of the shared port across them.
 */
public final class HttpVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final Function<io.vertx.core.Vertx, Router> routerFactory;
  private final Duration shutdownTimeout;
  private HttpServer server;

  public HttpVerticle(HttpServerOptions options, Function<io.vertx.core.Vertx, Router> routerFactory,
      Duration shutdownTimeout) {
    this.options = options;
    this.routerFactory = routerFactory;
    this.shutdownTimeout = shutdownTimeout;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options).requestHandler(routerFactory.apply(vertx));
    return server.listen();
  }

  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes. */
  @Override
  public Future<?> stop() {
    return server.shutdown(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
