package io.loomsocket.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final List<String> LINES = List.of(
            "RESULT server=netty run=1 mode=idle n=10000 opened=10000 failed=0 rss_after_kib=102400 kib_per_conn=6.0",
            "RESULT server=netty run=1 mode=echo size=64 msgs_per_s=200000.0 mb_per_s=12.8 seconds=10.0 server_cpu_s=10.0 p99_us=900.0 errors=0",
            "RESULT server=netty run=1 mode=echo size=16384 msgs_per_s=20000.0 mb_per_s=327.7 seconds=10.0 server_cpu_s=10.0 errors=0",
            "RESULT server=netty run=1 mode=latency p50_us=300.0 p99_us=1000.0 p999_us=3000.0",
            "RESULT server=netty run=1 mode=handshake handshakes_per_s=1500.0 failed=0",
            "RESULT server=netty run=2 mode=echo size=64 msgs_per_s=100000.0 mb_per_s=6.4 seconds=10.0 server_cpu_s=10.0 p99_us=900.0 errors=0",
            "RESULT server=netty run=3 mode=echo size=64 msgs_per_s=300000.0 mb_per_s=19.2 seconds=10.0 server_cpu_s=10.0 p99_us=900.0 errors=0",
            "RESULT server=loomsocket run=1 mode=echo size=64 msgs_per_s=300000.0 mb_per_s=19.2 seconds=10.0 server_cpu_s=10.0 p99_us=900.0 errors=0",
            "RESULT server=loomsocket run=1 mode=latency p50_us=200.0 p99_us=500.0 p999_us=900.0",
            "RESULT server=loomsocket run=1 mode=handshake handshakes_per_s=3000.0 failed=2",
            "SKIPPED server=loomsocket-deflate run=1 why=not_built");

    @Test
    void mediansSpreadAndRatiosToNetty() {
        String table = Report.render(LINES);
        // netty's three echo runs: median 200,000 with the spread 100,000-300,000
        assertThat(table).contains("| netty | 200,000 (100,000–300,000) | 328 | 300 / 1,000 | 6.00 | 1,500 | 1 (reference) |");
        // loomsocket: 1.5x the messages, half the p99, no idle or 16 KiB figure, 2x the handshakes
        assertThat(table).contains("| loomsocket | 300,000 | – | 200 / 500 | – | 3,000 | 1.50 · – · 0.50 · – · 2.00 |");
        assertThat(table).contains("- loomsocket: handshakes: 2 failed");
        assertThat(table).contains("- loomsocket-deflate: not built");
    }

    @Test
    void efficiencyIsMessagesPerServerCpuSecond() {
        String table = Report.render(LINES);
        assertThat(table).contains("| netty | 200,000 (100,000–300,000) | 328 | 1 (reference) | 3,000 | 900 | 100 |");
        assertThat(table).contains("| loomsocket | 300,000 | – | 1.50 · – | 900 | 900 | – |");
    }
}
