package io.streamdistill.reliability;

/**
 * One case of the campaign: it starts the processes it needs on the shared local stack (with topics
 * of its own), disrupts them, audits what reached Kafka, and stops everything it started.
 */
public interface ReliabilityCase {
  /** The name on the command line ({@code --cases}) and in the table. */
  String name();

  /** Runs the case to its audit; throws only when it could not get that far. */
  CaseResult run(CaseContext context) throws Exception;
}
