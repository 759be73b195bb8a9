package dev.userservice.http;

/**
 * What /ready needs to know besides whether the database answers: the schema is current, and
 * no shutdown has begun. Written by one thread, read by the event loops.
 */
public final class Readiness {
  private volatile boolean schemaCurrent;
  private volatile boolean draining;

  public void schemaIsCurrent() {
    schemaCurrent = true;
  }

  public boolean schemaCurrent() {
    return schemaCurrent;
  }

  public void startDraining() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  boolean acceptsTraffic() {
    return schemaCurrent && !draining;
  }
}
