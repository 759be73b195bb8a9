package dev.userservice.http;

import java.util.function.BooleanSupplier;

/**
 * What /ready needs to know besides whether the database answers: the schema is current, and
 * no shutdown has begun. Written by one thread, read by the event loops.
 */
public final class Readiness {
  private volatile boolean schemaCurrent;
  private volatile boolean draining;
  private volatile BooleanSupplier keysHeld = () -> true;

  /** With AUTH_MODE=oidc: not ready until the issuer's keys are held (no token could be checked). */
  public void requireKeys(BooleanSupplier held) {
    keysHeld = held;
  }

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
    return schemaCurrent && !draining && keysHeld.getAsBoolean();
  }
}
