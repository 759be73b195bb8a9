package dev.userservice.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import dev.userservice.db.LoopPools;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One HTTP server and one PostgreSQL pool on one event loop. Main deploys one per core;
 * Vert.x spreads the connections of the shared port across them.
 */
public final class HttpVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final Function<Vertx, LoopPools> poolFactory;
  private final BiFunction<Vertx, LoopPools, Router> routerFactory;
  private final Duration shutdownTimeout;
  private final ConnectionLimits connectionLimits;
  private HttpServer server;
  private LoopPools pools;

  /** {@code connectionLimits} is shared by every instance, so the limits hold for the whole process. */
  public HttpVerticle(HttpServerOptions options, Function<Vertx, LoopPools> poolFactory,
      BiFunction<Vertx, LoopPools, Router> routerFactory, Duration shutdownTimeout, ConnectionLimits connectionLimits) {
    this.options = options;
    this.poolFactory = poolFactory;
    this.routerFactory = routerFactory;
    this.shutdownTimeout = shutdownTimeout;
    this.connectionLimits = connectionLimits;
  }

  @Override
  public Future<?> start() {
    pools = poolFactory.apply(vertx); // created here, so their connections live on this event loop
    var guard = new ConnectionGuard(vertx, connectionLimits);
    Router router = routerFactory.apply(vertx, pools);
    server = vertx.createHttpServer(options)
        .connectionHandler(guard::onConnection)
        .invalidRequestHandler(InvalidRequests::answer)
        .requestHandler(request -> {
          guard.onRequest(request);
          router.handle(request);
        });
    return server.listen();
  }

  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes the pools. */
  @Override
  public Future<?> stop() {
    return server.shutdown(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS).eventually(() -> pools.close());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
