/**
 * The contracts between the services: Avro records generated at build time from
 * {@code src/main/avro/*.avsc} ({@link io.streamdistill.schemas.InputEvent}, {@link
 * io.streamdistill.schemas.SoftLabel}, {@link io.streamdistill.schemas.StudentModelVersion},
 * {@link io.streamdistill.schemas.DeploymentEvent}, {@link io.streamdistill.schemas.DeadLetter})
 * and the default topic names ({@link io.streamdistill.schemas.Topics}).
 *
 * <p>Schemas evolve only BACKWARD-compatibly: a new field has a default, no field changes type,
 * an enum that may grow has a default symbol.
 */
package io.streamdistill.schemas;
