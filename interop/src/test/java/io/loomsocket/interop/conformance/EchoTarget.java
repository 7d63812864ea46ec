package io.loomsocket.interop.conformance;

import io.loomsocket.interop.peers.PeerProcess;
import io.loomsocket.interop.servers.OurServer;
import java.io.IOException;
import java.time.Duration;

/**
 * The server the conformance suite talks to over raw sockets. By default it is our server
 * (started in-process on a free port, with the seed's {@code /echo} and {@code /echo_once} views); with
 * {@code -Dinterop.target=python} it is Python's websockets echo server instead, which checks the
 * suite's own expectations against an independent implementation (a developer tool: the cases
 * whose RFC leaves a choice are marked {@code loomsocketOnly}).
 */
public interface EchoTarget extends AutoCloseable {

    /** The maximum message size the target was started with (its 1009 threshold). */
    int MAX_MESSAGE_SIZE = 1 << 20;

    int port();

    /** A view that echoes every message until the client closes (RFC 6455 upgrade required). */
    default String echoPath() { return "/echo"; }

    /** A view that requires a WebSocket: plain GET gets 400. */
    default String requirePath() { return "/echo_once"; }

    /** True for our server: cases where the RFC allows a choice assert our documented choice. */
    boolean isLoomsocket();

    @Override void close();

    static EchoTarget start() throws IOException {
        return switch (System.getProperty("interop.target", "loomsocket")) {
            case "python" -> PythonTarget.start();
            case "loomsocket" -> new LoomsocketTarget(OurServer.start());
            default -> throw new IllegalArgumentException("interop.target must be loomsocket or python");
        };
    }

    /** Our server, in-process. */
    record LoomsocketTarget(OurServer server) implements EchoTarget {
        @Override public int port() { return server.port(); }

        @Override public boolean isLoomsocket() { return true; }

        @Override public void close() { server.close(); }
    }

    /** Python websockets' echo server (peers/py_echo_server.py), any path. */
    record PythonTarget(PeerProcess process, int port) implements EchoTarget {
        static PythonTarget start() throws IOException {
            PeerProcess p = PeerProcess.python("py_echo_server.py", "deflate", Integer.toString(MAX_MESSAGE_SIZE));
            return new PythonTarget(p, p.awaitListening(Duration.ofSeconds(20)));
        }

        @Override public boolean isLoomsocket() { return false; }

        @Override public void close() { process.close(); }
    }
}
