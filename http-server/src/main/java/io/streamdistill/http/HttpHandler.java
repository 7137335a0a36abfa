package io.streamdistill.http;

/**
 * Answers one request. Runs on one of the server's request threads, so it may block (a cascade to a teacher, a
 * model call); it is called for one request of a connection at a time. An exception becomes a 500 with the
 * exception's message, logged at WARN.
 */
@FunctionalInterface
public interface HttpHandler {
  HttpResponse handle(HttpRequest request) throws Exception;
}
