package io.streamdistill.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import io.streamdistill.student.ConvSpec;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.StudentSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DJL block of a student, built from the shared {@link StudentSpec}: one DJL parameter per
 * spec parameter, with the spec's name and shape, so that weights move between DJL and the
 * plain-Java format by name alone and the edge computes what this block computes. The one exception
 * is a hashed n-gram student's embedding table, which the learner holds and updates sparsely
 * ({@link EmbeddingTable}): the block holds its linear layer.
 *
 * <p>Inputs: for an MLP {@code (N, inputSize)} floats; for a cnn the same, already scaled by the spec's
 * shift and factor ({@link StudentNetwork#inputs}); for a hashed n-gram student the {@code (N,
 * dim)} bags (the mean of each text's embedding rows, from {@link EmbeddingTable#bags}). Outputs: the {@code (N,
 * classes)} logits, the {@code (N, hidden)} representation the last layer reads, and with a hint
 * width, that representation projected to {@code (N, hintWidth)}.
 */
public final class StudentBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  /** Name of the hint projection: trained with the student, never shipped. */
  public static final String HINT_PROJECTION = "hint.projection";

  private final StudentSpec spec;
  private final LinkedHashMap<String, Parameter> named = new LinkedHashMap<>();
  private final Parameter hintProjection;
  private final int hintWidth;

  public StudentBlock(StudentSpec spec) {
    this(spec, 0);
  }

  /**
   * @param hintWidth when positive, a third output: the hidden representation through a learned
   *     linear projection to this width (FitNets' regressor onto the teacher's embedding)
   */
  public StudentBlock(StudentSpec spec, int hintWidth) {
    super(VERSION);
    this.spec = spec;
    this.hintWidth = hintWidth;
    for (var entry : spec.parameterShapes().entrySet()) {
      String name = entry.getKey();
      if (name.equals(NgramSpec.EMBEDDING)) {
        continue;
      }
      Shape shape = new Shape(toLongs(entry.getValue()));
      Parameter.Builder builder = Parameter.builder().setName(name).optShape(shape);
      if (name.endsWith(".bias")) {
        builder.setType(Parameter.Type.BIAS).optInitializer(new ConstantInitializer(0f));
      } else {
        builder.setType(Parameter.Type.WEIGHT).optInitializer(new XavierInitializer());
      }
      named.put(name, addParameter(builder.build()));
    }
    hintProjection = hintWidth <= 0 ? null : addParameter(Parameter.builder().setName(HINT_PROJECTION)
        .setType(Parameter.Type.WEIGHT).optShape(new Shape(hintWidth, hiddenWidth(spec)))
        .optInitializer(new XavierInitializer()).build());
  }

  public StudentSpec spec() {
    return spec;
  }

  /** The DJL parameters by their spec names, in the spec's order (an n-gram student's table is not one). */
  public Map<String, Parameter> namedParameters() {
    return named;
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    Device device = inputs.head().getDevice();
    if (spec instanceof MlpSpec mlp) {
      return dense(store, device, training, inputs.head(), mlp.hidden().size() + 1);
    }
    if (spec instanceof ConvSpec conv) {
      NDArray x = inputs.head().reshape(-1, conv.channels(), conv.rows(), conv.cols());
      Shape one = new Shape(1, 1);
      Shape two = new Shape(2, 2);
      for (int block = 0; block < conv.filters().size(); block++) {
        NDArray w = store.getValue(named.get(ConvSpec.weightName(block)), device, training);
        NDArray b = store.getValue(named.get(ConvSpec.biasName(block)), device, training);
        x = Activation.relu(Conv2d.conv2d(x, w, b, one, one, one, 1).head());
        x = Pool.maxPool2d(x, two, two, new Shape(0, 0), false);
      }
      return dense(store, device, training, x.reshape(-1, conv.flattened()), conv.hidden().size() + 1);
    }
    NDArray bag = inputs.head(); // (N, D): the mean of each text's rows
    NDArray logits = Linear.linear(bag, store.getValue(named.get(NgramSpec.OUTPUT_WEIGHT), device, training),
        store.getValue(named.get(NgramSpec.OUTPUT_BIAS), device, training)).head();
    return withHint(store, device, training, logits, bag);
  }

  /** The MLP's {@code layers} dense layers over {@code x}, ReLU between them: logits, representation and hint. */
  private NDList dense(ParameterStore store, Device device, boolean training, NDArray x, int layers) {
    NDArray hidden = x;
    for (int layer = 0; layer < layers; layer++) {
      NDArray w = store.getValue(named.get(MlpSpec.weightName(layer)), device, training);
      NDArray b = store.getValue(named.get(MlpSpec.biasName(layer)), device, training);
      if (layer == layers - 1) {
        hidden = x;
      }
      x = Linear.linear(x, w, b).head();
      if (layer < layers - 1) {
        x = Activation.relu(x);
      }
    }
    return withHint(store, device, training, x, hidden);
  }

  private NDList withHint(ParameterStore store, Device device, boolean training, NDArray logits, NDArray hidden) {
    if (hintProjection == null) {
      return new NDList(logits, hidden);
    }
    NDArray projection = store.getValue(hintProjection, device, training);
    return new NDList(logits, hidden, hidden.matMul(projection.transpose()));
  }

  /** Width of the representation the last layer reads. */
  public static int hiddenWidth(StudentSpec spec) {
    if (spec instanceof ConvSpec conv) {
      return hiddenWidth(conv.head()); // its MLP head reads the flattened maps
    }
    return spec instanceof MlpSpec mlp
        ? (mlp.hidden().isEmpty() ? mlp.inputSize() : mlp.hidden().get(mlp.hidden().size() - 1))
        : ((NgramSpec) spec).embeddingDim();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long batch = inputShapes[0].get(0);
    Shape logits = new Shape(batch, spec.classes().size());
    Shape hidden = new Shape(batch, hiddenWidth(spec));
    return hintWidth <= 0 ? new Shape[] {logits, hidden} : new Shape[] {logits, hidden, new Shape(batch, hintWidth)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    // No children: every parameter has its shape from the spec.
  }

  private static long[] toLongs(int[] values) {
    long[] longs = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      longs[i] = values[i];
    }
    return longs;
  }
}
