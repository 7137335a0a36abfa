package io.streamdistill.teacher.text;

/**
 * How a head does on labelled embeddings.
 *
 * @param accuracy share of arg-max predictions equal to the label
 * @param errors examples predicted wrong
 * @param logLoss mean cross-entropy of the softmax of the logits
 */
record HeadEvaluation(double accuracy, int errors, double logLoss) {

  /** Measures {@code head} on {@code embeddings}, whose classes are {@code labels}. */
  static HeadEvaluation of(LogisticHead head, float[][] embeddings, int[] labels) {
    return of(head, HeadInputs.of(embeddings), labels);
  }

  /** Measures {@code head} on {@code inputs}, whose classes are {@code labels}. */
  static HeadEvaluation of(LogisticHead head, HeadInputs inputs, int[] labels) {
    int errors = 0;
    double loss = 0;
    for (int i = 0; i < inputs.size(); i++) {
      float[] logits = head.logits(inputs.embedding(i), inputs.ngrams(i));
      double max = Double.NEGATIVE_INFINITY;
      int best = 0;
      for (int c = 0; c < logits.length; c++) {
        if (logits[c] > max) {
          max = logits[c];
          best = c;
        }
      }
      double sum = 0;
      for (float logit : logits) {
        sum += Math.exp(logit - max);
      }
      loss += max + Math.log(sum) - logits[labels[i]];
      if (best != labels[i]) {
        errors++;
      }
    }
    return new HeadEvaluation(1.0 - (double) errors / inputs.size(), errors, loss / inputs.size());
  }
}
