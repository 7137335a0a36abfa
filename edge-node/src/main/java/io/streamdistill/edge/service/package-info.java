/**
 * The standalone edge service: {@link io.streamdistill.edge.service.EdgeServiceCommand} ({@code
 * ./distill edge}) wires an {@link io.streamdistill.edge.EdgeNode} to Kafka and serves it over HTTP
 * with {@link io.streamdistill.edge.service.EdgeHttpServer} (predict, health, metrics, admin).
 */
package io.streamdistill.edge.service;
