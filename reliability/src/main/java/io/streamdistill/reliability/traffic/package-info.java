/**
 * The traffic of the campaign: real MNIST input events and soft labels at a steady pace, bad records
 * of every kind for each stage, good and tampered student versions.
 */
package io.streamdistill.reliability.traffic;
