package dev.userservice.user;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;

/** The writable fields of a user and the rules each value must follow. */
enum UserField {
  USERNAME("username", 256),
  FIRST_NAME("firstName", 256),
  LAST_NAME("lastName", 256),
  EMAIL("email", 256),
  PHONE("phone", 32);

  // local@domain, no spaces, exactly one @. Deliberately loose: the only way to know an
  // address works is to send mail to it.
  private static final Pattern EMAIL_SHAPE = Pattern.compile("[^@\\s]+@[^@\\s]+");
  private static final Pattern PHONE_SHAPE = Pattern.compile("[0-9 +\\-()]*[0-9][0-9 +\\-()]*");

  final String jsonName;
  private final int maxLength;

  UserField(String jsonName, int maxLength) {
    this.jsonName = jsonName;
    this.maxLength = maxLength;
  }

  static Optional<UserField> byJsonName(String name) {
    for (UserField field : values()) {
      if (field.jsonName.equals(name)) {
        return Optional.of(field);
      }
    }
    return Optional.empty();
  }

  /** The known field a mistyped name most likely meant: {@code firstname} gives {@code firstName}. */
  static String closestTo(String unknown) {
    String lower = unknown.toLowerCase();
    return Arrays.stream(values())
        .map(field -> field.jsonName)
        .min(Comparator.comparingInt(known -> editDistance(lower, known.toLowerCase())))
        .orElseThrow();
  }

  /** Checks a present (non-null) value and returns it unchanged: text is stored exactly as sent. */
  String check(String value) {
    int length = codePointLengthOfStorableText(value);
    if (length > maxLength) {
      throw invalid("must be at most " + maxLength + " characters");
    }
    switch (this) {
      case USERNAME -> {
        if (value.isBlank()) {
          throw invalid("must not be blank");
        }
      }
      case EMAIL -> {
        if (!EMAIL_SHAPE.matcher(value).matches()) {
          throw invalid("must be an email address such as name@example.com");
        }
      }
      case PHONE -> {
        if (!PHONE_SHAPE.matcher(value).matches()) {
          throw invalid("must be a phone number: digits, spaces and + - ( ) only");
        }
      }
      default -> { }
    }
    return value;
  }

  InvalidUserException invalid(String problem) {
    return new InvalidUserException("field '" + jsonName + "' " + problem);
  }

  /**
   * Counts code points as PostgreSQL does, refusing what PostgreSQL cannot store: the NUL
   * character and a lone UTF-16 surrogate (JSON can spell one as an escape, UTF-8 cannot hold it).
   */
  private int codePointLengthOfStorableText(String value) {
    int count = 0;
    for (int i = 0; i < value.length(); i++, count++) {
      char c = value.charAt(i);
      if (c == '\0') {
        throw invalid("must not contain the NUL character");
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw invalid("must be valid Unicode text (it holds an unpaired surrogate)");
      }
    }
    return count;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
