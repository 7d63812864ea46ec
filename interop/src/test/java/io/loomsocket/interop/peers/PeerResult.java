package io.loomsocket.interop.peers;

import java.util.List;

/** What a driver script reported: its exit status and its "PASS"/"FAIL" lines. */
public record PeerResult(String name, int exitCode, List<String> lines) {

    public List<String> failures() {
        return lines.stream().filter(l -> l.startsWith("FAIL ")).toList();
    }

    public long passed() { return lines.stream().filter(l -> l.startsWith("PASS ")).count(); }

    public boolean ok() { return exitCode == 0 && failures().isEmpty() && passed() > 0; }

    public String transcript() { return name + " exited " + exitCode + ":\n  " + String.join("\n  ", lines); }
}
