package dev.userservice.user;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Turns a request body into {@link UserData}, or an {@link InvalidUserException} whose message
 * tells the client what to fix.
 *
 * <p>It reads the JSON as a stream of tokens rather than into a tree: a value of the wrong
 * type is refused at its first token, so a 10,000-level nested array costs one token, and
 * duplicate keys, unknown fields and trailing garbage are all seen and named.
 */
public final class UserJsonReader {
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
      .build();

  private UserJsonReader() {
  }

  /**
   * @param body the raw bytes (parsed as UTF-8 here, so invalid UTF-8 is an error, never replaced)
   * @param pathId the id in the URL for an update, or {@code null} for a create
   */
  public static UserData read(byte[] body, Long pathId) {
    try (JsonParser parser = createParser(body)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        throw new InvalidUserException("request body is empty: send a JSON object");
      }
      if (token != JsonToken.START_OBJECT) {
        throw new InvalidUserException("request body must be a JSON object");
      }
      String[] values = new String[UserField.values().length];
      boolean[] seen = new boolean[values.length];
      boolean seenId = false;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (name.equals("id")) {
          if (seenId) {
            throw duplicate(name);
          }
          seenId = true;
          checkId(parser, value, pathId);
          continue;
        }
        UserField field = UserField.byJsonName(name).orElseThrow(() -> new InvalidUserException(
            "unknown field '" + name + "': did you mean '" + UserField.closestTo(name) + "'?"));
        if (seen[field.ordinal()]) {
          throw duplicate(name);
        }
        seen[field.ordinal()] = true;
        values[field.ordinal()] = readText(parser, value, field);
      }
      if (parser.nextToken() != null) {
        throw new InvalidUserException("request body must hold one JSON object and nothing after it");
      }
      if (values[UserField.USERNAME.ordinal()] == null) {
        throw UserField.USERNAME.invalid("is required");
      }
      return new UserData(values[0], values[1], values[2], values[3], values[4]);
    } catch (JsonProcessingException e) {
      throw new InvalidUserException("request body is not valid JSON");
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a byte array does no I/O
    }
  }

  private static String readText(JsonParser parser, JsonToken value, UserField field) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return field.check(parser.getText());
    }
    if (value == JsonToken.VALUE_NULL && field != UserField.USERNAME) {
      return null;
    }
    throw field.invalid(field == UserField.USERNAME ? "must be a string" : "must be a string or null");
  }

  /** The id is the server's: a body may repeat the path's id, never contradict it. */
  private static void checkId(JsonParser parser, JsonToken value, Long pathId) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return;
    }
    if (value != JsonToken.VALUE_NUMBER_INT) {
      throw new InvalidUserException("field 'id' must be an integer");
    }
    if (pathId == null) {
      throw new InvalidUserException("field 'id' is assigned by the server: leave it out");
    }
    boolean fitsLong = parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    if (!fitsLong || parser.getLongValue() != pathId) {
      throw new InvalidUserException("field 'id' (" + parser.getText() + ") does not match the id in the path ("
          + pathId + ")");
    }
  }

  /**
   * Jackson's own UTF-8 decoding lets overlong forms through (C0 AF reads as '/'), the classic way
   * to slip a character past a check. So a body with any non-ASCII byte is decoded once, by the
   * JDK's strict decoder (it refuses overlong forms, encoded surrogates and anything past
   * U+10FFFF), and Jackson reads the characters. Plain ASCII, most bodies, goes to Jackson as
   * bytes. Found by FuzzedInputProperties.
   */
  private static JsonParser createParser(byte[] body) throws IOException {
    for (byte b : body) {
      if (b < 0) {
        CharBuffer chars;
        try {
          chars = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)); // reports, never replaces
        } catch (CharacterCodingException e) {
          throw new InvalidUserException("request body is not valid UTF-8");
        }
        return JSON.createParser(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
      }
    }
    return JSON.createParser(body);
  }

  private static InvalidUserException duplicate(String name) {
    return new InvalidUserException("field '" + name + "' appears more than once");
  }
}
