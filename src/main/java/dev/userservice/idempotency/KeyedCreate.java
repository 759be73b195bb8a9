package dev.userservice.idempotency;

/** How a POST /user with an Idempotency-Key ended. */
public sealed interface KeyedCreate {

  /** The answer to send: made just now, or kept from the first request with this key ({@code replayed}). */
  record Answer(int status, byte[] body, boolean replayed) implements KeyedCreate {
  }

  /** Another request with this key is being carried out right now: try again shortly (409). */
  record InProgress() implements KeyedCreate {
  }

  /** The key was used for a request with other content (422). */
  record KeyReused() implements KeyedCreate {
  }
}
