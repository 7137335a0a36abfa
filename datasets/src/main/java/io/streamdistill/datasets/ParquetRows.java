package io.streamdistill.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DateLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file ({@code .parquet}, as pandas' {@code to_parquet}, pyarrow and HuggingFace's datasets write
 * tables) into a {@link TabularLoader}, each row as the JSON object it would be in JSON Lines, so that columns are
 * guessed and read as a JSON file's keys are: strings as text, numbers and booleans as numbers, lists as arrays (a
 * vector), structs as nested objects (their keys joined by a dot: HuggingFace's image column {@code {bytes, path}}
 * is {@code image.bytes} and {@code image.path}), maps as objects; dates and timestamps as ISO text, decimals as
 * numbers, bytes without a string type as binary values; a HuggingFace {@code ClassLabel} column's numbers as its
 * classes' names, from the file's metadata ({@link #classNames}). Row groups are read one at a time (a file's
 * memory is its largest row group's, beside the rows kept). Stateless.
 */
final class ParquetRows {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ParquetRows() {}

  /** Whether a file starts with Parquet's magic bytes. */
  static boolean isParquet(byte[] head) {
    return head.length >= 4 && head[0] == 'P' && head[1] == 'A' && head[2] == 'R' && head[3] == '1';
  }

  static void read(Path file, TabularLoader loader) throws IOException {
    loader.rowName = "row";
    ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
        .withCodecFactory(new ParquetCodecs()).build();
    Set<String> keys = new LinkedHashSet<>();
    ParquetFileReader reader;
    try {
      reader = ParquetFileReader.open(new LocalInputFile(file), options);
    } catch (RuntimeException e) {
      // parquet-hadoop says "... is not a Parquet file (length is too low: 3)" and the like as RuntimeException.
      throw new DatasetException(file + " cannot be read as Parquet: " + e.getMessage(), e);
    }
    try (reader) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      Map<String, List<String>> classNames = classNames(file,
          reader.getFooter().getFileMetaData().getKeyValueMetaData().get("huggingface"));
      MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
      int row = 0;
      for (PageReadStore pages = reader.readNextRowGroup(); pages != null && !loader.full();
          pages = reader.readNextRowGroup()) {
        RecordReader<Group> records = columns.getRecordReader(pages, new GroupRecordConverter(schema));
        for (long i = 0; i < pages.getRowCount() && !loader.full(); i++) {
          row++;
          JsonLinesRows.acceptObject(row, named(objectOf(records.read()), classNames), keys, loader);
        }
      }
    } catch (RuntimeException e) {
      // A corrupt page or an unreadable encoding: parquet-hadoop's ParquetDecodingException and the like.
      throw new DatasetException(file + ": a Parquet row group cannot be read: " + e.getMessage(), e);
    }
    JsonLinesRows.requireNamedKeys(keys, loader);
  }

  /**
   * The names of the classes of each column HuggingFace's datasets wrote as a {@code ClassLabel} (or a list of them),
   * from the file's {@code huggingface} metadata ({@code {"info": {"features": {"label": {"names": ["neg", "pos"],
   * "_type": "ClassLabel"}}}}}): the numbers such a column holds are its classes' places in that list. Empty when
   * the file has none, or they cannot be read (said).
   */
  static Map<String, List<String>> classNames(Path file, String metadata) {
    if (metadata == null) {
      return Map.of();
    }
    Map<String, List<String>> names = new LinkedHashMap<>();
    try {
      JsonNode features = JSON.readTree(metadata).path("info").path("features");
      for (Map.Entry<String, JsonNode> feature : features.properties()) {
        JsonNode type = feature.getValue();
        JsonNode classLabel = "ClassLabel".equals(type.path("_type").asText()) ? type
            : "ClassLabel".equals(type.path("feature").path("_type").asText()) ? type.path("feature") : null;
        if (classLabel != null && classLabel.path("names").isArray() && !classLabel.path("names").isEmpty()) {
          List<String> list = new ArrayList<>();
          classLabel.path("names").forEach(name -> list.add(name.asText()));
          names.put(feature.getKey(), list);
        }
      }
    } catch (JsonProcessingException e) {
      TabularSource.LOGGER.atWarn().addKeyValue("file", file.getFileName()).log("its HuggingFace metadata is not"
          + " JSON, so class numbers stay numbers: " + e.getOriginalMessage());
      return Map.of();
    }
    if (!names.isEmpty()) {
      TabularSource.LOGGER.atInfo().addKeyValue("file", file.getFileName()).log("class names from its HuggingFace"
          + " metadata: " + names);
    }
    return names;
  }

  /**
   * A row whose class numbers ({@link #classNames}) are their names; -1, HuggingFace's "no label" (the GLUE test
   * splits), is no label; a number outside the names stays as it is.
   */
  static ObjectNode named(ObjectNode row, Map<String, List<String>> classNames) {
    for (Map.Entry<String, List<String>> column : classNames.entrySet()) {
      JsonNode value = row.get(column.getKey());
      if (value == null) {
        continue;
      }
      if (value.isArray()) {
        ArrayNode names = NODES.arrayNode();
        value.forEach(v -> names.add(className(v, column.getValue())));
        row.set(column.getKey(), names);
      } else {
        row.set(column.getKey(), className(value, column.getValue()));
      }
    }
    return row;
  }

  private static JsonNode className(JsonNode value, List<String> names) {
    if (!value.isIntegralNumber()) {
      return value;
    }
    long number = value.asLong();
    return number == -1 ? NODES.nullNode() : number >= 0 && number < names.size()
        ? NODES.textNode(names.get((int) number)) : value;
  }

  /** A group (a row, a struct) as a JSON object; a null field is left out, a repeated one is an array. */
  static ObjectNode objectOf(Group group) {
    GroupType type = group.getType();
    ObjectNode object = NODES.objectNode();
    for (int f = 0; f < type.getFieldCount(); f++) {
      Type field = type.getType(f);
      int count = group.getFieldRepetitionCount(f);
      if (field.isRepetition(Type.Repetition.REPEATED)) {
        ArrayNode array = object.putArray(field.getName());
        for (int i = 0; i < count; i++) {
          array.add(valueOf(group, f, i, field));
        }
      } else if (count > 0) {
        object.set(field.getName(), valueOf(group, f, 0, field));
      }
    }
    return object;
  }

  private static JsonNode valueOf(Group group, int f, int i, Type field) {
    LogicalTypeAnnotation logical = field.getLogicalTypeAnnotation();
    if (!field.isPrimitive()) {
      Group inner = group.getGroup(f, i);
      if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
        return listOf(inner);
      }
      if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation) {
        return mapOf(inner);
      }
      return objectOf(inner);
    }
    PrimitiveType primitive = field.asPrimitiveType();
    return switch (primitive.getPrimitiveTypeName()) {
      case BOOLEAN -> NODES.booleanNode(group.getBoolean(f, i));
      case INT32 -> logical instanceof DateLogicalTypeAnnotation
          ? NODES.textNode(LocalDate.ofEpochDay(group.getInteger(f, i)).toString())
          : logical instanceof DecimalLogicalTypeAnnotation decimal
          ? NODES.numberNode(BigDecimal.valueOf(group.getInteger(f, i), decimal.getScale()))
          : NODES.numberNode(group.getInteger(f, i));
      case INT64 -> logical instanceof TimestampLogicalTypeAnnotation timestamp
          ? NODES.textNode(instant(group.getLong(f, i), timestamp.getUnit()).toString())
          : logical instanceof DecimalLogicalTypeAnnotation decimal
          ? NODES.numberNode(BigDecimal.valueOf(group.getLong(f, i), decimal.getScale()))
          : NODES.numberNode(group.getLong(f, i));
      case FLOAT -> NODES.numberNode(group.getFloat(f, i));
      case DOUBLE -> NODES.numberNode(group.getDouble(f, i));
      case INT96 -> NODES.textNode(int96Instant(group.getInt96(f, i).getBytes()).toString());
      case BINARY, FIXED_LEN_BYTE_ARRAY -> logical instanceof DecimalLogicalTypeAnnotation decimal
          ? NODES.numberNode(new BigDecimal(new BigInteger(group.getBinary(f, i).getBytes()), decimal.getScale()))
          : logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
              || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
              || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
          ? NODES.textNode(group.getString(f, i))
          : NODES.binaryNode(group.getBinary(f, i).getBytes());
    };
  }

  /**
   * A LIST group as an array: the standard three levels ({@code list { repeated group list { element } }}), or
   * the older two (the repeated field is the element itself).
   */
  private static ArrayNode listOf(Group list) {
    ArrayNode array = NODES.arrayNode();
    if (list.getType().getFieldCount() != 1) {
      return array;
    }
    Type repeated = list.getType().getType(0);
    boolean threeLevels = !repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
        && !repeated.getName().equals("array") && !repeated.getName().endsWith("_tuple");
    for (int i = 0; i < list.getFieldRepetitionCount(0); i++) {
      if (threeLevels) {
        Group wrapper = list.getGroup(0, i);
        array.add(wrapper.getFieldRepetitionCount(0) == 0 ? NODES.nullNode()
            : valueOf(wrapper, 0, 0, repeated.asGroupType().getType(0)));
      } else {
        array.add(valueOf(list, 0, i, repeated));
      }
    }
    return array;
  }

  /** A MAP group ({@code repeated group key_value { key; value }}) as an object keyed by the keys' text. */
  private static ObjectNode mapOf(Group map) {
    ObjectNode object = NODES.objectNode();
    if (map.getType().getFieldCount() != 1 || map.getType().getType(0).isPrimitive()) {
      return object;
    }
    GroupType entry = map.getType().getType(0).asGroupType();
    for (int i = 0; i < map.getFieldRepetitionCount(0); i++) {
      Group pair = map.getGroup(0, i);
      if (entry.getFieldCount() == 2 && pair.getFieldRepetitionCount(0) > 0) {
        String key = valueOf(pair, 0, 0, entry.getType(0)).asText();
        object.set(key, pair.getFieldRepetitionCount(1) == 0 ? NODES.nullNode()
            : valueOf(pair, 1, 0, entry.getType(1)));
      }
    }
    return object;
  }

  private static Instant instant(long value, TimeUnit unit) {
    return switch (unit) {
      case MILLIS -> Instant.ofEpochMilli(value);
      case MICROS -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000);
      case NANOS -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
    };
  }

  /** Impala's and Spark's legacy timestamp: nanoseconds of the day, then the Julian day, little-endian. */
  private static Instant int96Instant(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = buffer.getLong();
    long julianDay = buffer.getInt();
    return Instant.ofEpochSecond((julianDay - 2_440_588L) * 86_400L).plusNanos(nanosOfDay);
  }
}
