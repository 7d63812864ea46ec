package io.loomsocket.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads another process's resident memory and CPU time from Linux's /proc (proc(5)):
 * {@code VmRSS} from /proc/PID/status and utime+stime from /proc/PID/stat.
 */
public final class ProcStats {
    /** USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux we run on. */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private final long pid;

    public ProcStats(long pid) { this.pid = pid; }

    public boolean available() { return pid > 0 && Files.isReadable(Path.of("/proc", Long.toString(pid), "status")); }

    /** Resident set size in KiB, as VmRSS reports it. */
    public long rssKiB() { return statusField("VmRSS:"); }

    /** Number of threads of the process. */
    public long threads() { return statusField("Threads:"); }

    private long statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]);
                }
            }
            throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/status: " + e, e);
        }
    }

    /** User plus system CPU time of the whole process, in seconds; -1 if it cannot be read. */
    public double cpuSeconds() {
        if (pid <= 0) return -1;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may contain spaces; fields after its closing ')' are fixed
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) is f[12]
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
