package io.streamdistill.edge.versions;

import io.streamdistill.student.StudentModel;
import java.time.Instant;

/**
 * What a node serves right now: one verified version and its model. Immutable, so a request that
 * read it keeps a consistent view while the holder swaps in another one.
 *
 * @param version the version number
 * @param model the student, immutable and thread-safe
 * @param pinned whether an operator pinned it (newer versions are then held, not served)
 * @param since when it started being served
 * @param calibratedThreshold the version's calibrated cascade threshold ({@code CascadeCalibration}), NaN when it
 *     carries none
 */
public record Serving(long version, StudentModel model, boolean pinned, Instant since, double calibratedThreshold) {}
