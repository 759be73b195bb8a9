package dev.userservice.idempotency;

import dev.userservice.user.UserData;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of what a create asks for: the fields after parsing, so that the same user sent with
 * other whitespace or key order is the same request, while null and "" stay different.
 */
final class RequestFingerprint {
  private RequestFingerprint() {
  }

  static byte[] of(UserData user) {
    MessageDigest sha256 = newDigest();
    for (String field : new String[] {user.username(), user.firstName(), user.lastName(), user.email(), user.phone()}) {
      if (field == null) {
        sha256.update((byte) 0);
      } else {
        byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
        sha256.update((byte) 1);
        sha256.update(intBytes(utf8.length)); // the length keeps ("ab","c") apart from ("a","bc")
        sha256.update(utf8);
      }
    }
    return sha256.digest();
  }

  private static byte[] intBytes(int value) {
    return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
