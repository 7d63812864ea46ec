package io.loomsocket.web.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** One HTTP/1.1 exchange over a raw socket ({@code Connection: close}), keeping every header field (all the Set-Cookie lines). */
final class Http {
    private Http() {}

    record Response(int status, List<String[]> headers, String body) {
        List<String> all(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
        }

        Optional<String> first(String name) {
            return all(name).stream().findFirst();
        }
    }

    static Response exchange(int port, String method, String target, List<String> headerLines, String body) throws IOException {
        return exchange(null, port, method, target, headerLines, body);
    }

    /** Over TLS with {@code tls} (a context trusting the server's certificate), else plain. */
    static Response exchange(SSLContext tls, int port, String method, String target, List<String> headerLines, String body) throws IOException {
        try (Socket s = tls == null ? new Socket(InetAddress.getLoopbackAddress(), port)
                : tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n");
            for (String h : headerLines) req.append(h).append("\r\n");
            if (body != null) req.append("Content-Length: ").append(content.length).append("\r\n");
            req.append("\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().write(content);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) throw new IOException("no complete response head: " + text);
            String[] lines = text.substring(0, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.add(new String[] {lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip()});
            }
            return new Response(status, headers, text.substring(end + 4));
        }
    }
}
