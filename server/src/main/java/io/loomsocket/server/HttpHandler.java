package io.loomsocket.server;

/**
 * Serves one request, on the connection's virtual thread. It must either respond
 * ({@link HttpExchange#respond}) or upgrade ({@link HttpExchange#upgrade}); if it returns without
 * doing either the client gets 500. An exception before responding gives 500 (or the status of
 * an {@link HttpException}); after responding it aborts the connection.
 */
@FunctionalInterface
public interface HttpHandler {
    void handle(HttpExchange exchange) throws Exception;
}
