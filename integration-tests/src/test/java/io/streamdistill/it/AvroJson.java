package io.streamdistill.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.streamdistill.schemas.AvroValues;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * The JSON form of Avro values that the Node.js side of {@link ConfluentClientCompatIT} reads and
 * writes (see {@code src/test/node/confluent-compat/common.js}): records and maps objects, unions
 * the plain value of their branch, enums their symbol, bytes base64, every number a JSON number.
 *
 * <p>Both sides are put in one canonical form along the schema before they are compared, so that
 * "equal field values" means equal as Avro values: an int or long is a {@link LongNode}, a float the
 * float widened to a {@link DoubleNode} (JavaScript prints {@code 0.1f} as {@code
 * 0.10000000149011612}, which narrows back to the same float), a double a {@link DoubleNode}.
 */
final class AvroJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AvroJson() {}

  /** A Java Avro value (generated record, generic record, or any value inside one) in the canonical JSON form. */
  static JsonNode toJson(Schema schema, Object datum) {
    return switch (schema.getType()) {
      case RECORD -> {
        IndexedRecord record = (IndexedRecord) datum;
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
          object.set(field.name(), toJson(field.schema(), record.get(field.pos())));
        }
        yield object;
      }
      case UNION -> datum == null ? NullNode.instance
          : toJson(schema.getTypes().get(SpecificData.get().resolveUnion(schema, datum)), datum);
      case ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        for (Object item : (Collection<?>) datum) {
          array.add(toJson(schema.getElementType(), item));
        }
        yield array;
      }
      case MAP -> {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
          object.set(entry.getKey().toString(), toJson(schema.getValueType(), entry.getValue()));
        }
        yield object;
      }
      case ENUM, STRING -> TextNode.valueOf(datum.toString());
      case BYTES -> TextNode.valueOf(Base64.getEncoder().encodeToString(AvroValues.bytes((ByteBuffer) datum)));
      case FIXED -> TextNode.valueOf(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
      case INT -> LongNode.valueOf(((Number) datum).longValue());
      // timestamp-millis: a generated record holds an Instant, a generic one the long.
      case LONG -> LongNode.valueOf(datum instanceof Instant instant ? instant.toEpochMilli()
          : ((Number) datum).longValue());
      case FLOAT -> DoubleNode.valueOf(((Number) datum).floatValue());
      case DOUBLE -> DoubleNode.valueOf(((Number) datum).doubleValue());
      case BOOLEAN -> BooleanNode.valueOf((Boolean) datum);
      case NULL -> NullNode.instance;
    };
  }

  /**
   * JSON written elsewhere (by Confluent's deserializer) rebuilt in the canonical form along
   * {@code schema}. Object members the schema does not name are kept as they are, so that a field
   * too many still makes two values differ.
   */
  static JsonNode canonical(Schema schema, JsonNode json) {
    return switch (schema.getType()) {
      case RECORD -> {
        if (!json.isObject()) {
          yield json;
        }
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<String, JsonNode> member : json.properties()) {
          Schema.Field field = schema.getField(member.getKey());
          object.set(member.getKey(), field == null ? member.getValue() : canonical(field.schema(), member.getValue()));
        }
        yield object;
      }
      case UNION -> {
        for (Schema branch : schema.getTypes()) {
          if (fits(branch, json)) {
            yield canonical(branch, json);
          }
        }
        yield json;
      }
      case ARRAY -> {
        if (!json.isArray()) {
          yield json;
        }
        ArrayNode array = NODES.arrayNode();
        json.forEach(item -> array.add(canonical(schema.getElementType(), item)));
        yield array;
      }
      case MAP -> {
        if (!json.isObject()) {
          yield json;
        }
        ObjectNode object = NODES.objectNode();
        json.properties().forEach(e -> object.set(e.getKey(), canonical(schema.getValueType(), e.getValue())));
        yield object;
      }
      case INT, LONG -> json.isIntegralNumber() && json.canConvertToLong() ? LongNode.valueOf(json.longValue()) : json;
      case FLOAT -> json.isNumber() ? DoubleNode.valueOf((float) json.doubleValue()) : json;
      case DOUBLE -> json.isNumber() ? DoubleNode.valueOf(json.doubleValue()) : json;
      default -> json;
    };
  }

  /** Whether a union branch is the one a plain JSON value belongs to. */
  private static boolean fits(Schema branch, JsonNode json) {
    return switch (branch.getType()) {
      case NULL -> json.isNull();
      case BOOLEAN -> json.isBoolean();
      case INT, LONG -> json.isIntegralNumber();
      case FLOAT, DOUBLE -> json.isNumber();
      case STRING, ENUM, BYTES, FIXED -> json.isTextual();
      case ARRAY -> json.isArray();
      case RECORD, MAP -> json.isObject();
      default -> false;
    };
  }
}
