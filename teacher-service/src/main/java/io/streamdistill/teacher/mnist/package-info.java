/**
 * The MNIST teacher of Hinton, Vinyals and Dean (2015), made here rather than downloaded:
 * {@link io.streamdistill.teacher.mnist.MnistTeacherTrainer} trains a 784-1200-1200-10 ReLU network
 * with dropout and jittered inputs on the CPU with DJL/PyTorch and saves it as a teacher directory
 * (once per machine, cached by its options);
 * {@link io.streamdistill.teacher.mnist.MnistTeacherLoader} (kind {@code mnist-mlp}) loads it back
 * for the service; {@link io.streamdistill.teacher.mnist.TrainMnistTeacherCommand} is the command
 * line. It is a preset of {@code train-teacher}'s generic path: the network and its training loop are
 * {@link io.streamdistill.teacher.training.DenseNetBlock} and
 * {@link io.streamdistill.teacher.training.DenseNetTrainer}, with this teacher's recipe; teachers
 * saved before that (no {@code options.network} in teacher.json) still load, with
 * {@code MnistMlpBlock}.
 *
 * <p>The teacher outputs its 10 logits and, as its embedding, the activations of its second hidden
 * layer (1200 wide), which feature ("hint") and relational distillation use.
 */
package io.streamdistill.teacher.mnist;
