package io.streamdistill.teacher.training;

/**
 * How many epochs a network teacher trains when its training has a time limit ({@code --max-time}): after
 * each epoch, as many more as fit in the time left at the last epoch's pace, never more than asked for.
 * A big data set on a small machine then gets a teacher in the time given (fewer epochs, the learning
 * rate's schedule fitted to them) rather than one hours later. Immutable.
 *
 * @param epochs the epochs asked for
 * @param maxSeconds the time limit, from the first epoch's start; 0 for none
 */
record EpochBudget(int epochs, long maxSeconds) {

  /**
   * The epochs to train in all, after {@code done} epochs ended {@code elapsedSeconds} after the first
   * began, the last of them in {@code lastEpochSeconds}, with {@code planned} in all so far: at least
   * {@code done}, at most {@link #epochs}. Fewer as soon as the planned ones would not end in time; more
   * only when at least two more fit, so that an epoch's noise does not swing the plan back and forth.
   */
  int epochsAfter(int done, double elapsedSeconds, double lastEpochSeconds, int planned) {
    if (maxSeconds <= 0 || done >= epochs) {
      return epochs;
    }
    double left = maxSeconds - elapsedSeconds;
    long more = lastEpochSeconds <= 0 ? epochs : (long) Math.floor(left / lastEpochSeconds);
    int fit = (int) Math.max(done, Math.min(epochs, done + Math.max(0, more)));
    return fit < planned || fit >= planned + 2 ? fit : planned;
  }
}
