package dev.temperstore.internal.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

/**
 * Parses a bridge frame's JSON keeping every number as it was written: a decimal becomes a {@code BigDecimal}
 * (Vert.x's own parser rounds it to a double), so that the store's input gate can refuse a number it would not
 * give back unchanged instead of silently storing the rounded one. Nesting, number and string lengths are bounded
 * by the parser's constraints, before any tree is built.
 */
final class FrameJson {

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).maxNumberLength(1100).build())
      .build();

  static final String INVALID = "frame is not valid UTF-8 JSON";

  private FrameJson() {
  }

  private static String kind(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.toString();
    };
  }

  /** @throws DecodeException when the text is not one JSON object */
  static JsonObject parseObject(Buffer frame) {
    try (JsonParser parser = FACTORY.createParser(frame.getBytes())) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        value(parser); // a parse error in the text is reported as such, before its kind
        throw new DecodeException("frame must be a JSON object, got " + kind(first));
      }
      JsonObject object = object(parser);
      if (parser.nextToken() != null) {
        throw new DecodeException("frame must hold one JSON object and nothing after it");
      }
      return object;
    } catch (IOException | RuntimeException e) {
      if (e instanceof DecodeException decode && decode.getMessage().startsWith("frame must")) {
        throw decode;
      }
      // Jackson's message quotes the text: of a frame that may carry a secret, say only what is wrong.
      throw new DecodeException(INVALID);
    }
  }

  private static JsonObject object(JsonParser parser) throws IOException {
    JsonObject object = new JsonObject();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      object.put(name, value(parser));
    }
    return object;
  }

  private static JsonArray array(JsonParser parser) throws IOException {
    JsonArray array = new JsonArray();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      array.add(value(parser));
    }
    return array;
  }

  private static Object value(JsonParser parser) throws IOException {
    return switch (parser.currentToken()) {
      case START_OBJECT -> object(parser);
      case START_ARRAY -> array(parser);
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parser.getNumberValue();
      case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new DecodeException(INVALID);
    };
  }
}
