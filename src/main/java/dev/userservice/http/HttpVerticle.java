package dev.userservice.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
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
  private final Function<Vertx, Pool> poolFactory;
  private final BiFunction<Vertx, Pool, Router> routerFactory;
  private final Duration shutdownTimeout;
  private final ConnectionLimits connectionLimits;
  private HttpServer server;
  private Pool pool;

  /** {@code connectionLimits} is shared by every instance, so the limits hold for the whole process. */
  public HttpVerticle(HttpServerOptions options, Function<Vertx, Pool> poolFactory,
      BiFunction<Vertx, Pool, Router> routerFactory, Duration shutdownTimeout, ConnectionLimits connectionLimits) {
    this.options = options;
    this.poolFactory = poolFactory;
    this.routerFactory = routerFactory;
    this.shutdownTimeout = shutdownTimeout;
    this.connectionLimits = connectionLimits;
  }

  @Override
  public Future<?> start() {
    pool = poolFactory.apply(vertx); // created here, so its connections live on this event loop
    var guard = new ConnectionGuard(vertx, connectionLimits);
    Router router = routerFactory.apply(vertx, pool);
    server = vertx.createHttpServer(options)
        .connectionHandler(guard::onConnection)
        .invalidRequestHandler(InvalidRequests::answer)
        .requestHandler(request -> {
          guard.onRequest(request);
          router.handle(request);
        });
    return server.listen();
  }

  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes the pool. */
  @Override
  public Future<?> stop() {
    return server.shutdown(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS).eventually(() -> pool.close());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
