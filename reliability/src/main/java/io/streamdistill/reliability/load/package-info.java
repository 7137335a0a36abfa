/**
 * Load on an edge node from a second process, and the analysis of its requests into windows around
 * version swaps and steady ones.
 */
package io.streamdistill.reliability.load;
