package io.streamdistill.teacher.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The network of a {@link DenseArchitecture}. It reads {@code (N, inputWidth)} floats (an image as
 * its rows one after the other, reshaped here for the convolutions) and returns two arrays: the
 * {@code (N, classes)} logits and the {@code (N, embeddingWidth)} activations of the last hidden
 * layer, which the teacher publishes as its embedding (hint and relational distillation).
 *
 * <p>Dropout layers are always present, even at rate 0, so that the block's structure, and so its
 * parameter file, does not depend on the rates: training and loading build the same block.
 */
public final class DenseNetBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final DenseArchitecture architecture;
  private final SequentialBlock features;
  private final SequentialBlock body;
  private final SequentialBlock head;

  /** The network of {@code architecture}; the dropout rates act in training only. */
  public DenseNetBlock(DenseArchitecture architecture, float inputDropout, float hiddenDropout) {
    super(VERSION);
    this.architecture = architecture;
    SequentialBlock convolutions = new SequentialBlock();
    if (architecture.convolutional()) {
      // Padding 2 keeps each 5x5 convolution's output the size of its input; ceil-mode pooling keeps
      // the last row and column of odd sizes (7x7 -> 4x4).
      convolutions
          .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(16).build())
          .add(Activation.reluBlock())
          .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), true))
          .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(32).build())
          .add(Activation.reluBlock())
          .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), true));
    }
    this.features = addChildBlock("features", convolutions.add(Dropout.builder().optRate(inputDropout).build()));
    SequentialBlock layers = new SequentialBlock();
    for (int i = 0; i < architecture.hidden().size(); i++) {
      if (i > 0) {
        layers.add(Dropout.builder().optRate(hiddenDropout).build());
      }
      layers.add(Linear.builder().setUnits(architecture.hidden().get(i)).build()).add(Activation.reluBlock());
    }
    this.body = addChildBlock("body", layers);
    this.head = addChildBlock("head", new SequentialBlock()
        .add(Dropout.builder().optRate(hiddenDropout).build())
        .add(Linear.builder().setUnits(architecture.classes()).build()));
  }

  @Override
  protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray x = shapeForFeatures(inputs.singletonOrThrow());
    NDArray flat = flatten(features.forward(parameterStore, new NDList(x), training, params).singletonOrThrow());
    NDList embedding = body.forward(parameterStore, new NDList(flat), training, params);
    NDList logits = head.forward(parameterStore, embedding, training, params);
    return new NDList(logits.singletonOrThrow(), embedding.singletonOrThrow());
  }

  private NDArray shapeForFeatures(NDArray input) {
    return architecture.convolutional()
        ? input.reshape(input.getShape().get(0), architecture.channels(), architecture.imageRows(),
            architecture.imageCols()) : input;
  }

  private static NDArray flatten(NDArray array) {
    return array.getShape().dimension() == 2 ? array : array.reshape(array.getShape().get(0), -1);
  }

  private Shape featureInputShape(Shape input) {
    return architecture.convolutional()
        ? new Shape(input.get(0), architecture.channels(), architecture.imageRows(), architecture.imageCols())
        : input;
  }

  private Shape flatShape(Shape shape) {
    return shape.dimension() == 2 ? shape : new Shape(shape.get(0), shape.size() / shape.get(0));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long batch = inputShapes[0].get(0);
    return new Shape[] {new Shape(batch, architecture.classes()), new Shape(batch, architecture.embeddingWidth())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = featureInputShape(inputShapes[0]);
    features.initialize(manager, dataType, in);
    Shape flat = flatShape(features.getOutputShapes(new Shape[] {in})[0]);
    body.initialize(manager, dataType, flat);
    head.initialize(manager, dataType, body.getOutputShapes(new Shape[] {flat}));
  }
}
