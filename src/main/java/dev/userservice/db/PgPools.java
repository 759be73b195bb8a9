package dev.userservice.db;

import dev.userservice.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.impl.PgPoolOptions;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * Reactive PostgreSQL pools. Each HTTP event loop gets a pool of its own, created on that
 * event loop, so a request and its query never change threads: with one shared pool every
 * query hopped to another loop and back, which cost more CPU than the query itself.
 */
public final class PgPools {
  public static final String NAME = "postgres";

  private PgPools() {
  }

  public static final String TRANSACTIONS_NAME = "postgres-tx";

  /** Both pools of one event loop; call from the event loop that will use them (a verticle's start). */
  public static LoopPools createForLoop(Vertx vertx, DbSettings db, Config config, int maxSize, int loop) {
    return new LoopPools(
        create(vertx, db, config, maxSize, NAME + "-" + loop, true),
        create(vertx, db, config, transactionPoolSize(maxSize), TRANSACTIONS_NAME + "-" + loop, false));
  }

  /**
   * As many as the query pool: a keyed create holds its connection for three round trips, and a
   * client that retries with keys may send nothing else. The pool opens them only when used.
   */
  public static int transactionPoolSize(int queryPoolSize) {
    return queryPoolSize;
  }

  public static Pool create(Vertx vertx, DbSettings db, Config config, int maxSize, String name) {
    return create(vertx, db, config, maxSize, name, true);
  }

  private static Pool create(Vertx vertx, DbSettings db, Config config, int maxSize, String name, boolean pipelined) {
    var connect = new PgConnectOptions()
        .setHost(db.host())
        .setPort(db.port())
        .setDatabase(db.database())
        .setUser(db.user())
        .setPassword(db.password())
        .setCachePreparedStatements(true)
        // Up to this many queries of different requests in flight on one connection.
        .setPipeliningLimit(256);
    // Without "pipelined" the pool lends a connection to one query at a time and the limit above
    // does nothing. With it, queries share connections: measured in bench/, 89 -> 62 µs of CPU per
    // GET, and under overload (400 clients, 2 connections) 1,900 creates/s instead of a collapse to
    // under 100/s while the wait queue overflowed. Vert.x 5 keeps this switch in its impl package,
    // so an upgrade that moves it fails the build, not the service.
    var pool = new PgPoolOptions().setPipelined(pipelined)
        .setName(name)
        .setMaxSize(maxSize)
        // Requests past this queue, or waiting longer than this, get a quick 503 instead of piling up.
        .setMaxWaitQueueSize(config.dbPoolMaxWaiting())
        .setConnectionTimeout((int) config.dbPoolWait().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setIdleTimeout(5)
        .setIdleTimeoutUnit(TimeUnit.MINUTES);
    var tcp = new NetClientOptions()
        .setConnectTimeout((int) config.dbConnectTimeout().toMillis())
        .setTcpKeepAlive(true);
    return PgBuilder.pool().with(pool).with(tcp).connectingTo(connect).using(vertx).build();
  }
}
