package io.loomsocket.web;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;

/**
 * JSON that {@link Json} could not read as the type asked for: not JSON at all, a document over
 * one of the {@code json.*} limits, or well-formed JSON of another shape. The message says which,
 * with Jackson's explanation and the line and column, never the document itself.
 */
public final class JsonReadException extends RuntimeException {
    /** Why the document was refused. */
    public enum Kind {
        /** Not a JSON document (RFC 8259): a syntax error, a truncated document, trailing data. */
        MALFORMED,
        /** Over {@code json.max_nesting_depth}, {@code json.max_string_length}, {@code json.max_number_length} or {@code json.max_document_length}. */
        TOO_LARGE,
        /** Well-formed JSON that does not map to the type: a missing or mistyped field, an array for an object. */
        WRONG_TYPE
    }

    private final Kind kind;

    JsonReadException(Kind kind, JavaType type, JacksonException cause) {
        super(describe(kind, type, cause), cause);
        this.kind = kind;
    }

    private static String describe(Kind kind, JavaType type, JacksonException cause) {
        String what = switch (kind) {
            case MALFORMED -> "malformed JSON";
            case TOO_LARGE -> "JSON over a limit";
            case WRONG_TYPE -> "JSON does not match " + type.getRawClass().getSimpleName();
        };
        String detail = cause.getOriginalMessage();
        if (detail == null) detail = cause.getClass().getSimpleName();
        int newline = detail.indexOf('\n');
        if (newline >= 0) detail = detail.substring(0, newline);
        var where = cause.getLocation();
        String at = where != null && where.getLineNr() > 0 ? " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")" : "";
        return what + ": " + detail + at;
    }

    public Kind kind() {
        return kind;
    }
}
