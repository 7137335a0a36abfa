package io.streamdistill.datasets;

import io.airlift.compress.lz4.Lz4Decompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Decompresses Parquet pages with the codec libraries parquet-hadoop brings (snappy-java, zstd-jni, aircompressor)
 * and the JDK's gzip, not through Hadoop's codec classes, which would need Hadoop's runtime and its configuration
 * files. Reads UNCOMPRESSED, SNAPPY (pyarrow's and pandas' default), GZIP, ZSTD and LZ4_RAW; BROTLI, LZO and the
 * deprecated LZ4 framing are refused naming the codec. Reading only; stateless and thread-safe.
 */
final class ParquetCodecs implements CompressionCodecFactory {
  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    throw new UnsupportedOperationException("Parquet files are read here, not written");
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return new BytesInputDecompressor() {
      @Override
      public BytesInput decompress(BytesInput compressed, int uncompressedSize) throws IOException {
        return BytesInput.from(ParquetCodecs.decompress(codec, compressed.toInputStream().readAllBytes(),
            uncompressedSize));
      }

      @Override
      public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
          throws IOException {
        byte[] compressed = new byte[compressedSize];
        input.get(compressed);
        output.put(ParquetCodecs.decompress(codec, compressed, uncompressedSize));
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void release() {}

  /** The {@code size} bytes {@code compressed} holds in {@code codec}. */
  static byte[] decompress(CompressionCodecName codec, byte[] compressed, int size) throws IOException {
    byte[] bytes = switch (codec) {
      case UNCOMPRESSED -> compressed;
      case SNAPPY -> Snappy.uncompress(compressed);
      case GZIP -> {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
          yield in.readNBytes(size);
        }
      }
      case ZSTD -> com.github.luben.zstd.Zstd.decompress(compressed, size);
      case LZ4_RAW -> {
        byte[] out = new byte[size];
        int length = new Lz4Decompressor().decompress(compressed, 0, compressed.length, out, 0, size);
        yield length == size ? out : java.util.Arrays.copyOf(out, length);
      }
      default -> throw new IOException("its pages are compressed with " + codec + ", which is not read here (SNAPPY,"
          + " GZIP, ZSTD, LZ4_RAW and uncompressed are): write it again with one of those, e.g. pandas'"
          + " df.to_parquet(path, compression='snappy')");
    };
    if (bytes.length != size) {
      throw new IOException("a " + codec + " page holds " + bytes.length + " bytes, its header says " + size);
    }
    return bytes;
  }
}
