package example;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.WebApp;

import java.nio.file.Path;

import static io.loomsocket.web.Views.acceptWebSocket;
import static io.loomsocket.web.Views.path;

/**
 * An echo server: {@code ws://127.0.0.1:8000/echo} sends every message back, {@code /} says hello
 * over plain HTTP. Run it with {@code mvn -q compile exec:java}; give a settings file with
 * {@code -Dexec.args=my.properties}. Settings come from the defaults, then that file, then the
 * environment ({@code PORT=8001}), then code.
 */
public final class EchoServer {
    public static void main(String[] args) throws Exception {
        Settings.Builder settings = Settings.builder();
        if (args.length > 0) settings.propertiesFile(Path.of(args[0]));

        WebApp.builder()
                .settings(settings.build())
                .urls(path("^$", request -> Response.text("hello; the echo is at ws://" + request.header("Host").orElse("") + "/echo")),
                      path("^echo$", acceptWebSocket(request -> {
                          if (!request.isWebSocket()) return Response.text("use a WebSocket");
                          WebSocket ws = request.websocket();
                          for (Message m : ws) ws.send(m);     // text stays text, binary stays binary
                          return null;                          // closes the WebSocket with 1000
                      })))
                .build()
                .run();                                         // until SIGTERM or Ctrl-C
    }
}
