package dev.userservice.db;

import dev.userservice.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/** The reactive PostgreSQL pool the HTTP handlers share. */
public final class PgPools {
  public static final String NAME = "postgres";

  private PgPools() {
  }

  public static Pool create(Vertx vertx, DbSettings db, Config config) {
    var connect = new PgConnectOptions()
        .setHost(db.host())
        .setPort(db.port())
        .setDatabase(db.database())
        .setUser(db.user())
        .setPassword(db.password())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    var pool = new PoolOptions()
        .setName(NAME)
        .setMaxSize(config.dbPoolSize())
        // Requests past this queue, or waiting longer than this, get a quick 503 instead of piling up.
        .setMaxWaitQueueSize(config.dbPoolMaxWaiting())
        .setConnectionTimeout((int) config.dbPoolWait().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setIdleTimeout(5)
        .setIdleTimeoutUnit(TimeUnit.MINUTES)
        .setEventLoopSize(Runtime.getRuntime().availableProcessors());
    var tcp = new NetClientOptions()
        .setConnectTimeout((int) config.dbConnectTimeout().toMillis())
        .setTcpKeepAlive(true);
    return PgBuilder.pool().with(pool).with(tcp).connectingTo(connect).using(vertx).build();
  }
}
