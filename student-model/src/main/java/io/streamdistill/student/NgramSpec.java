package io.streamdistill.student;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hashed n-gram text classifier (fastText's idea): the text's word and character n-grams are
 * hashed into {@code featurizer.buckets()} buckets ({@link NgramFeaturizer}), each bucket has an
 * embedding row, the rows of a text's n-grams are averaged, and a linear layer gives the logits.
 * Parameters: {@code embedding.weight [buckets, embeddingDim]}, {@code output.weight [classes,
 * embeddingDim]}, {@code output.bias [classes]}. Inference costs a few microseconds per text.
 */
public record NgramSpec(List<String> classes, NgramFeaturizer.Settings featurizer, int embeddingDim)
    implements StudentSpec {
  public static final String EMBEDDING = "embedding.weight";
  public static final String OUTPUT_WEIGHT = "output.weight";
  public static final String OUTPUT_BIAS = "output.bias";

  public NgramSpec {
    StudentSpec.requireClasses(classes);
    if (featurizer == null) {
      throw new IllegalArgumentException("featurizer settings are missing");
    }
    if (embeddingDim < 1) {
      throw new IllegalArgumentException("embeddingDim must be positive, got " + embeddingDim);
    }
    classes = List.copyOf(classes);
  }

  @Override
  public String kind() {
    return "hashed-ngram";
  }

  @Override
  public InputKind inputKind() {
    return InputKind.TEXT;
  }

  @Override
  public Map<String, int[]> parameterShapes() {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put(EMBEDDING, new int[] {featurizer.buckets(), embeddingDim});
    shapes.put(OUTPUT_WEIGHT, new int[] {classes.size(), embeddingDim});
    shapes.put(OUTPUT_BIAS, new int[] {classes.size()});
    return shapes;
  }
}
