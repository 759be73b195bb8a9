package dev.userservice.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log event, on one line: timestamp, level, logger, thread, message, the
 * event's key-value pairs as fields of their own, and stack_trace when there is one.
 *
 * <p>Written with Jackson's streaming generator, which Vert.x already brings. A general-purpose
 * JSON encoder (logstash-logback-encoder) pulled in jackson-databind, whose classes took about a
 * quarter of a second of every start (measured with -Xlog:class+load and bench/run.sh).
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public byte[] encode(ILoggingEvent event) {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(256); JsonGenerator json = JSON.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp())
          .plusNanos(event.getNanoseconds() % 1_000_000).toString());
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("message", event.getFormattedMessage());
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair pair : event.getKeyValuePairs()) {
          writeValue(json, pair.key, pair.value);
        }
      }
      for (Map.Entry<String, String> entry : event.getMDCPropertyMap().entrySet()) {
        json.writeStringField(entry.getKey(), entry.getValue());
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeStringField("stack_trace", ThrowableProxyUtil.asString(thrown));
      }
      json.writeEndObject();
      json.writeRaw('\n');
      json.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does no I/O
    }
  }

  /** Numbers and booleans stay JSON numbers and booleans; anything else is written as text. */
  private static void writeValue(JsonGenerator json, String key, Object value) throws IOException {
    json.writeFieldName(key);
    switch (value) {
      case null -> json.writeNull();
      case Integer i -> json.writeNumber(i);
      case Long l -> json.writeNumber(l);
      case Double d -> json.writeNumber(d);
      case Float f -> json.writeNumber(f);
      case Boolean b -> json.writeBoolean(b);
      default -> json.writeString(value.toString());
    }
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
