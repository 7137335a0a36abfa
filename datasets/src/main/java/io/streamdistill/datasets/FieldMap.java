package io.streamdistill.datasets;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields of one structured example: an unmodifiable map over the source's field names (shared
 * by every example, with their positions) and this example's values, null for missing. Iterates in
 * the fields' order. Cheaper than a LinkedHashMap per example; equal to any map with the same
 * entries.
 */
final class FieldMap extends AbstractMap<String, Object> {
  private final String[] names;
  private final Map<String, Integer> positions;
  private final Object[] values;

  FieldMap(String[] names, Map<String, Integer> positions, Object[] values) {
    this.names = names;
    this.positions = positions;
    this.values = values;
  }

  @Override
  public int size() {
    return names.length;
  }

  @Override
  public boolean containsKey(Object key) {
    return positions.containsKey(key);
  }

  @Override
  public Object get(Object key) {
    Integer position = positions.get(key);
    return position == null ? null : values[position];
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return names.length;
      }

      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < names.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (next >= names.length) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(names[i], values[i]);
          }
        };
      }
    };
  }
}
