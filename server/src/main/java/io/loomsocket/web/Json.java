package io.loomsocket.web;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * An application's JSON (RFC 8259) through one Jackson {@link JsonMapper}: {@link Request#json},
 * {@link Response#json} and {@link JsonWebSocket} all read and write with it. Its parser refuses,
 * while it reads and before it builds any object, a document nested deeper than
 * {@code json.max_nesting_depth}, a string longer than {@code json.max_string_length}, a number
 * longer than {@code json.max_number_length} or a document longer than
 * {@code json.max_document_length}; writing refuses nesting deeper than
 * {@code json.max_nesting_depth} (a cycle, say). Records are read and written by their components.
 * Immutable and thread-safe.
 *
 * <p>The mapper is built on a factory that carries those limits; change anything else about it
 * (modules, naming, features) with {@link WebApp.Builder#json(UnaryOperator)}. On the module
 * path, open the packages of the types it reads and writes to {@code tools.jackson.databind}.
 */
public final class Json {
    private final JsonMapper mapper;

    private Json(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The JSON of an application with these settings and the mapper as {@code configure} leaves it. */
    static Json of(Settings settings, UnaryOperator<JsonMapper.Builder> configure) {
        // "</" never written verbatim: JSON inside an HTML <script> block cannot end it
        JsonMapper.Builder b = JsonMapper.builder(factory(settings)).enable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES);
        JsonMapper.Builder configured = configure.apply(b);
        return new Json(Objects.requireNonNull(configured, "the JSON mapper configuration returned null").build());
    }

    /** With the default settings and mapper (for a {@link Response} read outside any application). */
    static Json defaults() {
        return Defaults.JSON;
    }

    private static final class Defaults {
        static final Json JSON = of(Settings.defaults(), UnaryOperator.identity());
    }

    /**
     * A Jackson {@link JsonFactory} with the {@code json.*} limits of {@code settings}: build a
     * mapper of your own on it ({@code JsonMapper.builder(Json.factory(settings))}) to read JSON
     * outside a request with the same limits.
     */
    public static JsonFactory factory(Settings settings) {
        int depth = settings.integer("json.max_nesting_depth");
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(depth)
                        .maxStringLength(settings.integer("json.max_string_length"))
                        .maxNumberLength(settings.integer("json.max_number_length"))
                        .maxDocumentLength(settings.size("json.max_document_length"))
                        .build())
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(depth).build())
                .build();
    }

    /** The mapper, for anything this class does not cover. */
    public JsonMapper mapper() {
        return mapper;
    }

    /** {@code value} as JSON text. @throws IllegalArgumentException if Jackson cannot write it */
    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code value} as UTF-8 JSON bytes. @throws IllegalArgumentException if Jackson cannot write it */
    public byte[] writeBytes(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads UTF-8 JSON as {@code type}. @throws JsonReadException if it is not JSON or not that type */
    public <T> T read(byte[] json, Class<T> type) {
        return read(json, mapper.constructType(type));
    }

    /** Reads UTF-8 JSON as a generic type ({@code new TypeReference<List<Point>>() {}}). */
    public <T> T read(byte[] json, TypeReference<T> type) {
        return read(json, mapper.constructType(type));
    }

    /** Reads JSON text as {@code type}. @throws JsonReadException if it is not JSON or not that type */
    public <T> T read(String json, Class<T> type) {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    /** Reads JSON text as a generic type. */
    public <T> T read(String json, TypeReference<T> type) {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private <T> T read(byte[] json, JavaType type) {
        try {
            return mapper.readValue(json, type);
        } catch (StreamConstraintsException e) {
            throw new JsonReadException(JsonReadException.Kind.TOO_LARGE, type, e);
        } catch (StreamReadException e) {
            throw new JsonReadException(JsonReadException.Kind.MALFORMED, type, e);
        } catch (DatabindException e) {
            throw new JsonReadException(JsonReadException.Kind.WRONG_TYPE, type, e);
        } catch (JacksonException e) {
            throw new JsonReadException(JsonReadException.Kind.MALFORMED, type, e);
        }
    }
}
