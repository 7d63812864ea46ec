package io.loomsocket.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface, for peers that must be told a port before they start. */
public final class Ports {
    private Ports() {}

    /** A port that was free a moment ago (another process may still take it before the peer binds it). */
    public static int free() {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
