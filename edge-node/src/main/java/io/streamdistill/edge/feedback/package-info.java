/**
 * Closing the loop: a sample of the node's traffic and every request its student was unsure of go
 * back to the input-events topic, where the teacher labels them and the trainer learns from them.
 * Sending is asynchronous and bounded: a request hands its event to a queue and never waits; when
 * the queue is full the event is dropped and counted.
 */
package io.streamdistill.edge.feedback;
