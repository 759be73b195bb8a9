package dev.userservice.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/**
 * The PostgreSQL pools of one event loop. {@code queries} pipelines single statements from many
 * requests over shared connections; a pipelined pool cannot lend a connection to one caller, so
 * the few operations that need a transaction (a create with an Idempotency-Key) take theirs
 * from {@code transactions}. Both open connections only when first used.
 */
public record LoopPools(Pool queries, Pool transactions) {

  public Future<Void> close() {
    return Future.join(queries.close(), transactions.close()).mapEmpty();
  }
}
