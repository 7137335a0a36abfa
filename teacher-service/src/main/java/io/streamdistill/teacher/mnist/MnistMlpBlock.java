package io.streamdistill.teacher.mnist;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The teacher of Hinton, Vinyals and Dean (2015): 784 inputs, two ReLU layers of {@code hidden}
 * units, 10 logits, with dropout on the inputs and on each hidden layer (dropout acts only in
 * training; a forward pass with {@code training = false} is deterministic).
 *
 * <p>The forward pass returns two arrays: the {@code (N, 10)} logits and the {@code (N, hidden)}
 * activations of the second hidden layer, the representation the output layer reads, which the
 * teacher publishes as its embedding (for hint and relational distillation). Returning both from
 * one pass costs nothing extra.
 *
 * <p>Training and loading must build the same block: the saved parameters are read back child by
 * child, in this order.
 */
final class MnistMlpBlock extends AbstractBlock {
  private static final byte VERSION = 1;
  static final int CLASSES = 10;

  private final int hidden;
  private final SequentialBlock body;
  private final SequentialBlock head;

  MnistMlpBlock(int hidden, float inputDropout, float hiddenDropout) {
    super(VERSION);
    this.hidden = hidden;
    // Dropout layers are always present, even at rate 0, so that the block's structure (and so its
    // parameter file) does not depend on the rates.
    this.body = addChildBlock("body", new SequentialBlock()
        .add(Dropout.builder().optRate(inputDropout).build())
        .add(Linear.builder().setUnits(hidden).build())
        .add(Activation.reluBlock())
        .add(Dropout.builder().optRate(hiddenDropout).build())
        .add(Linear.builder().setUnits(hidden).build())
        .add(Activation.reluBlock()));
    this.head = addChildBlock("head", new SequentialBlock()
        .add(Dropout.builder().optRate(hiddenDropout).build())
        .add(Linear.builder().setUnits(CLASSES).build()));
  }

  @Override
  protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDList embedding = body.forward(parameterStore, inputs, training, params);
    NDList logits = head.forward(parameterStore, embedding, training, params);
    return new NDList(logits.singletonOrThrow(), embedding.singletonOrThrow());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long batch = inputShapes[0].get(0);
    return new Shape[] {new Shape(batch, CLASSES), new Shape(batch, hidden)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    body.initialize(manager, dataType, inputShapes);
    head.initialize(manager, dataType, body.getOutputShapes(inputShapes));
  }
}
