package dev.userservice.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Who sent a request, as its verified token says: the subject, and whether it is an administrator. */
public record Principal(String subject, boolean admin) {

  /** The owner a new profile gets: the subject, or no one when an administrator creates it. */
  public String ownerOfNewProfile() {
    return admin ? null : subject;
  }

  /** The owner may reach their profile; an administrator every profile, those of no one included. */
  public boolean mayAccess(String owner) {
    return admin || subject.equals(owner);
  }

  /**
   * An Idempotency-Key as stored for this subject: another subject's request with the same key is
   * a request of its own. A digest, so any subject and any 255-character key fit the key column.
   */
  public String scopedKey(String idempotencyKey) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      digest.update(subject.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(idempotencyKey.getBytes(StandardCharsets.US_ASCII));
      return "sub:" + HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
