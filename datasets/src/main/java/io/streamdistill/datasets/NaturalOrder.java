package io.streamdistill.datasets;

import java.util.Comparator;

/** Orders names so that digit runs compare as numbers: px2 before px10 (a vector prefix's columns). */
public final class NaturalOrder {
  /** Compares names so that digit runs compare as numbers: px2 before px10. */
  public static final Comparator<String> COMPARATOR = NaturalOrder::compare;

  private NaturalOrder() {}

  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) {
          i++;
        }
        while (j < b.length() && Character.isDigit(b.charAt(j))) {
          j++;
        }
        // Compare the digit runs as numbers of any length: without leading zeros, the longer is larger.
        while (si < i - 1 && a.charAt(si) == '0') {
          si++;
        }
        while (sj < j - 1 && b.charAt(sj) == '0') {
          sj++;
        }
        if (i - si != j - sj) {
          return Integer.compare(i - si, j - sj);
        }
        for (int k = 0; k < i - si; k++) {
          if (a.charAt(si + k) != b.charAt(sj + k)) {
            return Character.compare(a.charAt(si + k), b.charAt(sj + k));
          }
        }
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    int byRest = Integer.compare(a.length() - i, b.length() - j);
    return byRest != 0 ? byRest : a.compareTo(b);
  }
}
