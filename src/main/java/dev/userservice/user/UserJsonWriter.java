package dev.userservice.user;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes the API's JSON straight through Jackson's streaming generator: no maps, no
 * reflection, one small array per response. Text is written as UTF-8, unescaped beyond what
 * JSON requires, so it comes back byte for byte as it was sent.
 */
public final class UserJsonWriter {
  private static final JsonFactory JSON = new JsonFactory();

  private UserJsonWriter() {
  }

  /** All six fields, absent ones as null, in the API's field names. */
  public static byte[] user(User user) {
    return write(json -> {
      UserData data = user.data();
      json.writeStartObject();
      json.writeNumberField("id", user.id());
      json.writeStringField("username", data.username());
      json.writeStringField("firstName", data.firstName());
      json.writeStringField("lastName", data.lastName());
      json.writeStringField("email", data.email());
      json.writeStringField("phone", data.phone());
      json.writeEndObject();
    });
  }

  /** {"message": text} or, with an id, {"message": text, "id": id}. */
  public static byte[] message(String text, Long id) {
    return write(json -> {
      json.writeStartObject();
      json.writeStringField("message", text);
      if (id != null) {
        json.writeNumberField("id", id);
      }
      json.writeEndObject();
    });
  }

  private interface Body {
    void writeTo(JsonGenerator json) throws IOException;
  }

  private static byte[] write(Body body) {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(256);
         JsonGenerator json = JSON.createGenerator(bytes)) {
      body.writeTo(json);
      json.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does no I/O
    }
  }
}
