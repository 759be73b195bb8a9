package dev.userservice.http;

import dev.userservice.user.VersionCondition;
import java.util.ArrayList;
import java.util.List;

/**
 * ETags are the user's version in quotes ({@code "3"}), a strong validator. This reads the
 * If-Match and If-None-Match headers of RFC 9110: {@code *} or a comma-separated list of
 * entity tags, each {@code "opaque"} or weak {@code W/"opaque"}.
 */
final class EntityTags {
  private EntityTags() {
  }

  static String of(long version) {
    return "\"" + version + "\"";
  }

  /** If-Match for PUT and DELETE: null when absent. Strong comparison: a weak tag never matches. */
  static VersionCondition ifMatch(String header) {
    return condition("If-Match", header, false);
  }

  /** If-None-Match for GET: null when absent. Weak comparison: {@code W/"3"} matches version 3. */
  static VersionCondition ifNoneMatch(String header) {
    return condition("If-None-Match", header, true);
  }

  private static VersionCondition condition(String headerName, String header, boolean weakMatches) {
    if (header == null) {
      return null;
    }
    if (header.trim().equals("*")) {
      return VersionCondition.ANY;
    }
    return VersionCondition.oneOf(versions(parse(headerName, header), weakMatches));
  }

  static boolean matches(VersionCondition condition, long version) {
    if (condition.anyVersion()) {
      return true;
    }
    for (long v : condition.versions()) {
      if (v == version) {
        return true;
      }
    }
    return false;
  }

  private record Tag(boolean weak, String opaque) {
  }

  /** Tags that are not a version of ours (other text, or weak under strong comparison) match nothing. */
  private static long[] versions(List<Tag> tags, boolean weakAllowed) {
    return tags.stream()
        .filter(tag -> weakAllowed || !tag.weak())
        .filter(tag -> !tag.opaque().isEmpty() && tag.opaque().length() <= 18
            && tag.opaque().chars().allMatch(c -> c >= '0' && c <= '9'))
        .mapToLong(tag -> Long.parseLong(tag.opaque()))
        .toArray();
  }

  private static List<Tag> parse(String headerName, String header) {
    List<Tag> tags = new ArrayList<>();
    int i = 0;
    int n = header.length();
    while (true) {
      i = skipSpaces(header, i);
      boolean weak = header.startsWith("W/", i);
      if (weak) {
        i += 2;
      }
      if (i >= n || header.charAt(i) != '"') {
        throw malformed(headerName);
      }
      int close = header.indexOf('"', i + 1);
      if (close < 0) {
        throw malformed(headerName);
      }
      String opaque = header.substring(i + 1, close);
      if (!opaque.chars().allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) {
        throw malformed(headerName);
      }
      tags.add(new Tag(weak, opaque));
      i = skipSpaces(header, close + 1);
      if (i == n) {
        return tags;
      }
      if (header.charAt(i) != ',') {
        throw malformed(headerName);
      }
      i++;
    }
  }

  private static int skipSpaces(String text, int i) {
    while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static ApiException malformed(String headerName) {
    return new ApiException(400, "header " + headerName + " must be * or a list of entity tags such as \"3\"");
  }
}
