package io.loomsocket.bench.load;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One workload's figures, printed as a single machine-readable line
 * {@code RESULT key=value ...} that bench/run.sh collects, after a human-readable summary.
 */
public final class Result {
    private final Map<String, String> fields = new LinkedHashMap<>();

    public Result(String mode) { fields.put("mode", mode); }

    public Result put(String key, Object value) {
        String v = value instanceof Double d ? String.format(Locale.ROOT, "%.1f", d) : String.valueOf(value);
        if (v.contains(" ")) throw new IllegalArgumentException("result values have no spaces: " + v);
        fields.put(key, v);
        return this;
    }

    public String line() {
        StringBuilder sb = new StringBuilder("RESULT");
        fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }
}
