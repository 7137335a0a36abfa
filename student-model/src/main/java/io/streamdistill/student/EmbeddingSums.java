package io.streamdistill.student;

/**
 * Sums of embedding rows, the hot loop of the text students: {@code h += table[row]} for each row
 * id, from float rows or from int8 rows times their scales.
 *
 * <p>For the usual width of 16 the sums are held in 16 local variables, which the JIT keeps in
 * registers, instead of in {@code h}: it keeps no array in registers across iterations, and that
 * round trip through memory per row, not the additions, bounded the loop. An int8 value is turned
 * into a float through a 256-entry table: Java 17's compiler neither vectorizes the conversion nor
 * makes it cheaper than a load (measured in {@code Int8InferenceBenchmark}: 31 to 21 us per 2 KB mail).
 */
final class EmbeddingSums {
  /** Each byte's value as a float, by its unsigned bits. */
  private static final float[] BYTE_VALUES = new float[256];

  static {
    for (int b = 0; b < 256; b++) {
      BYTE_VALUES[b] = (byte) b;
    }
  }

  private EmbeddingSums() {}

  /** Adds {@code table[ids[i] * dim .. + dim)} to {@code h} for each {@code i < count}. */
  static void addRows(float[] table, int dim, int[] ids, int count, float[] h) {
    if (dim == 16) {
      addRows16(table, ids, count, h);
      return;
    }
    for (int i = 0; i < count; i++) {
      int r = ids[i] * dim;
      for (int d = 0; d < dim; d++) {
        h[d] += table[r + d];
      }
    }
  }

  /**
   * Adds {@code scales[id] * table[id * dim .. + dim)} to {@code h} for each of the ids: int8 rows, in
   * float.
   */
  static void addScaledRows(byte[] table, float[] scales, int dim, int[] ids, int count, float[] h) {
    if (dim == 16) {
      addScaledRows16(table, scales, ids, count, h);
      return;
    }
    for (int i = 0; i < count; i++) {
      int id = ids[i];
      int r = id * dim;
      float scale = scales[id];
      for (int d = 0; d < dim; d++) {
        h[d] = Math.fma(BYTE_VALUES[table[r + d] & 0xFF], scale, h[d]);
      }
    }
  }

  private static void addRows16(float[] table, int[] ids, int count, float[] h) {
    float a0 = h[0];
    float a1 = h[1];
    float a2 = h[2];
    float a3 = h[3];
    float a4 = h[4];
    float a5 = h[5];
    float a6 = h[6];
    float a7 = h[7];
    float a8 = h[8];
    float a9 = h[9];
    float a10 = h[10];
    float a11 = h[11];
    float a12 = h[12];
    float a13 = h[13];
    float a14 = h[14];
    float a15 = h[15];
    for (int i = 0; i < count; i++) {
      int r = ids[i] * 16;
      a0 += table[r + 0];
      a1 += table[r + 1];
      a2 += table[r + 2];
      a3 += table[r + 3];
      a4 += table[r + 4];
      a5 += table[r + 5];
      a6 += table[r + 6];
      a7 += table[r + 7];
      a8 += table[r + 8];
      a9 += table[r + 9];
      a10 += table[r + 10];
      a11 += table[r + 11];
      a12 += table[r + 12];
      a13 += table[r + 13];
      a14 += table[r + 14];
      a15 += table[r + 15];
    }
    h[0] = a0;
    h[1] = a1;
    h[2] = a2;
    h[3] = a3;
    h[4] = a4;
    h[5] = a5;
    h[6] = a6;
    h[7] = a7;
    h[8] = a8;
    h[9] = a9;
    h[10] = a10;
    h[11] = a11;
    h[12] = a12;
    h[13] = a13;
    h[14] = a14;
    h[15] = a15;
  }

  private static void addScaledRows16(byte[] table, float[] scales, int[] ids, int count, float[] h) {
    float a0 = h[0];
    float a1 = h[1];
    float a2 = h[2];
    float a3 = h[3];
    float a4 = h[4];
    float a5 = h[5];
    float a6 = h[6];
    float a7 = h[7];
    float a8 = h[8];
    float a9 = h[9];
    float a10 = h[10];
    float a11 = h[11];
    float a12 = h[12];
    float a13 = h[13];
    float a14 = h[14];
    float a15 = h[15];
    for (int i = 0; i < count; i++) {
      int id = ids[i];
      int r = id * 16;
      float s = scales[id];
      a0 = Math.fma(BYTE_VALUES[table[r + 0] & 0xFF], s, a0);
      a1 = Math.fma(BYTE_VALUES[table[r + 1] & 0xFF], s, a1);
      a2 = Math.fma(BYTE_VALUES[table[r + 2] & 0xFF], s, a2);
      a3 = Math.fma(BYTE_VALUES[table[r + 3] & 0xFF], s, a3);
      a4 = Math.fma(BYTE_VALUES[table[r + 4] & 0xFF], s, a4);
      a5 = Math.fma(BYTE_VALUES[table[r + 5] & 0xFF], s, a5);
      a6 = Math.fma(BYTE_VALUES[table[r + 6] & 0xFF], s, a6);
      a7 = Math.fma(BYTE_VALUES[table[r + 7] & 0xFF], s, a7);
      a8 = Math.fma(BYTE_VALUES[table[r + 8] & 0xFF], s, a8);
      a9 = Math.fma(BYTE_VALUES[table[r + 9] & 0xFF], s, a9);
      a10 = Math.fma(BYTE_VALUES[table[r + 10] & 0xFF], s, a10);
      a11 = Math.fma(BYTE_VALUES[table[r + 11] & 0xFF], s, a11);
      a12 = Math.fma(BYTE_VALUES[table[r + 12] & 0xFF], s, a12);
      a13 = Math.fma(BYTE_VALUES[table[r + 13] & 0xFF], s, a13);
      a14 = Math.fma(BYTE_VALUES[table[r + 14] & 0xFF], s, a14);
      a15 = Math.fma(BYTE_VALUES[table[r + 15] & 0xFF], s, a15);
    }
    h[0] = a0;
    h[1] = a1;
    h[2] = a2;
    h[3] = a3;
    h[4] = a4;
    h[5] = a5;
    h[6] = a6;
    h[7] = a7;
    h[8] = a8;
    h[9] = a9;
    h[10] = a10;
    h[11] = a11;
    h[12] = a12;
    h[13] = a13;
    h[14] = a14;
    h[15] = a15;
  }
}
