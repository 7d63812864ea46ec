package io.loomsocket.client;

/**
 * Runs the figures of {@link FiguresTest} outside JUnit, so JVM flags can be set freely:
 * {@code java -Dloomsocket.long=true -cp ... io.loomsocket.client.EchoBench}.
 */
public final class EchoBench {
    private EchoBench() {}

    public static void main(String[] args) throws Exception {
        FiguresTest f = new FiguresTest();
        f.pipelinedEchoThroughput();
        f.requestResponseRoundTrip();
    }
}
