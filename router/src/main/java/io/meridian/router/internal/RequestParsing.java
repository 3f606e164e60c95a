package io.meridian.router.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.infra.model.Names;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WriteConcern;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Checks what a client sends (path parameters, headers, bodies) and turns each problem into the {@link ApiException}
 * the API answers with. Pure functions; thread-safe.
 */
public final class RequestParsing {
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 128;
    /**
     * The deepest nesting of arrays and objects a body may have. Jackson's own limit (1,000 for reading and for
     * writing) is too close: the WAL record wraps the document one level deeper, so a document at that limit could be
     * read here and then fail to serialize; recursive code on documents would also need deep stacks.
     */
    public static final int MAX_DEPTH = 200;

    private static final ObjectMapper BODIES = bodyMapper();

    private RequestParsing() {
    }

    public static String tenant(String tenant) {
        try {
            return Names.requireTenant(tenant);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_TENANT, e.getMessage());
        }
    }

    public static String key(String key) {
        try {
            return Names.requireKey(key);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_KEY, e.getMessage());
        }
    }

    /**
     * The write's id: the {@code Idempotency-Key} header when present (1-128 printable ASCII characters), else a new
     * random UUID.
     */
    public static String writeId(String idempotencyKey, Supplier<UUID> uuids) {
        if (idempotencyKey == null) {
            return uuids.get().toString();
        }
        boolean printable = !idempotencyKey.isEmpty() && idempotencyKey.length() <= MAX_IDEMPOTENCY_KEY_LENGTH
                && idempotencyKey.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
        if (!printable || idempotencyKey.isBlank()) {
            throw ApiException.of(ErrorCode.INVALID_IDEMPOTENCY_KEY, "the Idempotency-Key header must be 1-"
                    + MAX_IDEMPOTENCY_KEY_LENGTH + " printable ASCII characters (e.g. a UUID); got "
                    + idempotencyKey.length() + " characters" + (printable ? ", all blank" : ""));
        }
        return idempotencyKey;
    }

    /**
     * The {@code If-Match} header as a document version ({@code partition:offset} or {@code absent}), or
     * {@link WalRecord#NO_VERSION} when absent. An entity tag's quotes are allowed ({@code "3:1042"}); a weak tag or
     * {@code *} is not (a position is always strong, and {@code *} would not say which version).
     */
    public static String ifMatch(String header) {
        if (header == null) {
            return WalRecord.NO_VERSION;
        }
        String value = header.trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.equals(WalRecord.ABSENT)) {
            return value;
        }
        try {
            return Position.parse(value).toString();
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_IF_MATCH, "If-Match '" + header + "' is not a document version:"
                    + " send the X-Meridian-Position of the read (or of the write) you based this write on, e.g."
                    + " If-Match: 3:1042, or If-Match: absent to write only if there is no document");
        }
    }

    /** The {@code X-Meridian-Min-Position} header, or null when absent. */
    public static Position minPosition(String header, int walPartitions) {
        if (header == null) {
            return null;
        }
        Position position;
        try {
            position = Position.parse(header.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_POSITION, "X-Meridian-Min-Position: " + e.getMessage()
                    + "; send the X-Meridian-Position value a write returned");
        }
        if (position.partition() >= walPartitions) {
            throw ApiException.of(ErrorCode.INVALID_POSITION, "X-Meridian-Min-Position " + position
                    + " names partition " + position.partition() + ", but the WAL has " + walPartitions
                    + " partitions: send the X-Meridian-Position value a write returned");
        }
        return position;
    }

    /**
     * Reads a request body of at most {@code maxBytes}; larger bodies (by Content-Length, or by what arrives when the
     * length is not declared) are refused with {@code body_too_large} without reading them whole.
     *
     * @param declaredLength the Content-Length, or -1 when unknown (chunked)
     */
    public static byte[] body(InputStream in, long declaredLength, int maxBytes) {
        if (declaredLength > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(Math.min(declaredLength, maxBytes), 64));
            byte[] buffer = new byte[8192];
            int total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body: " + e.getMessage(), e);
        }
    }

    private static ApiException tooLarge(int maxBytes) {
        return ApiException.of(ErrorCode.BODY_TOO_LARGE, "the body is larger than " + maxBytes
                + " bytes (http.max.body.bytes): store smaller documents or raise the limit");
    }

    /**
     * A document: any JSON value except null, nested at most {@link #MAX_DEPTH} deep, without a number beyond the
     * range of a double (Jackson would read {@code 1e400} as infinity, which JSON cannot represent).
     */
    public static JsonNode document(byte[] body) {
        JsonNode value = parse(body, "send the document as one JSON value");
        if (value.isNull()) {
            throw ApiException.of(ErrorCode.INVALID_DOCUMENT, "a document cannot be JSON null: send a value, or"
                    + " DELETE the document to remove it");
        }
        return value;
    }

    /**
     * The {@code X-Meridian-If-Paused} header: absent or {@code serve} → false, {@code redirect} → true (any case);
     * anything else is {@code invalid_pause}.
     */
    public static boolean redirectIfPaused(String header) {
        if (header == null || header.isBlank() || header.trim().equalsIgnoreCase("serve")) {
            return false;
        }
        if (header.trim().equalsIgnoreCase("redirect")) {
            return true;
        }
        throw ApiException.of(ErrorCode.INVALID_PAUSE, Headers.IF_PAUSED + " '" + header + "' is neither 'serve' nor"
                + " 'redirect': send 'redirect' to be sent to the primary when this region's replication is paused,"
                + " or leave it out");
    }

    /**
     * A strict JSON object body: malformed JSON is {@code malformed_json}; not an object, or a field outside
     * {@code fields}, is {@code invalid(message)}. Messages end with {@code example} so the reader sees a valid body.
     */
    static JsonNode jsonObject(byte[] body, java.util.Collection<String> fields, String example,
                               java.util.function.Function<String, ApiException> invalid) {
        return jsonObject(body, fields, Map.of(), example, invalid);
    }

    /**
     * As {@link #jsonObject(byte[], java.util.Collection, String, java.util.function.Function)}, and first each field
     * named by a key of {@code aliases} (the API's camelCase name) is renamed to its value (the deprecated snake_case
     * name the request types read): both names of one field in a body is {@code invalid}.
     */
    static JsonNode jsonObject(byte[] body, java.util.Collection<String> fields, Map<String, String> aliases,
                               String example, java.util.function.Function<String, ApiException> invalid) {
        JsonNode node = withAliases(parse(body, "send e.g. " + example), aliases, invalid);
        if (!node.isObject()) {
            throw invalid.apply("the body must be a JSON object like " + example);
        }
        for (java.util.Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw invalid.apply("unknown field '" + name + "': the fields are " + fields + ", e.g. " + example);
            }
        }
        return node;
    }

    /**
     * {@code node} with each field named by a key of {@code aliases} renamed to the key's value (bodies take the
     * API's camelCase names, e.g. {@code toRegion}, and their deprecated snake_case names, {@code to_region}); a
     * non-object is returned as it is.
     *
     * @throws ApiException {@code invalid} when a body names one field by both names
     */
    static JsonNode withAliases(JsonNode node, Map<String, String> aliases,
                                java.util.function.Function<String, ApiException> invalid) {
        if (!(node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) || aliases.isEmpty()) {
            return node;
        }
        com.fasterxml.jackson.databind.node.ObjectNode renamed = object.deepCopy();
        aliases.forEach((name, deprecated) -> {
            if (renamed.has(name)) {
                if (renamed.has(deprecated)) {
                    throw invalid.apply("'" + name + "' and '" + deprecated + "' name the same field: send only '"
                            + name + "' ('" + deprecated + "' is its deprecated name)");
                }
                renamed.set(deprecated, renamed.remove(name));
            }
        });
        return renamed;
    }

    /** Any JSON value that Meridian can store and send back as it is; else {@code malformed_json} ending in advice. */
    private static JsonNode parse(byte[] body, String advice) {
        JsonNode node;
        try (JsonParser parser = BODIES.createParser(body)) {
            try {
                node = BODIES.readTree(parser);
            } catch (StreamConstraintsException e) {
                // The parser fails as it enters the level past the limit, so its context tells depth from other limits.
                if (parser.getParsingContext().getNestingDepth() > MAX_DEPTH) {
                    throw ApiException.of(ErrorCode.MALFORMED_JSON, "the body nests arrays and objects deeper than "
                            + MAX_DEPTH + " levels, the limit: send it with at most " + MAX_DEPTH + " levels");
                }
                throw e;
            }
        } catch (JsonProcessingException e) {
            throw malformed(e.getOriginalMessage(), advice);
        } catch (IOException e) {
            throw malformed(e.getMessage(), advice);
        }
        if (node == null || node.isMissingNode()) {
            throw malformed("empty body: expected a JSON value", advice);
        }
        String pointer = nonFinite(node);
        if (pointer != null) {
            throw ApiException.of(ErrorCode.MALFORMED_JSON, "the body holds a number beyond the range of a double"
                    + " (about ±1.8e308)" + (pointer.isEmpty() ? "" : " at " + pointer) + ", which cannot be stored as"
                    + " it is: send it as a string");
        }
        return node;
    }

    private static ApiException malformed(String detail, String advice) {
        return ApiException.of(ErrorCode.MALFORMED_JSON, "the body is not valid JSON (" + detail + "): " + advice);
    }

    /** The JSON Pointer of the first number that overflowed to infinity, or null. Recursion is bounded by MAX_DEPTH. */
    private static String nonFinite(JsonNode node) {
        if (node.isDouble() || node.isFloat()) {
            return Double.isFinite(node.doubleValue()) ? null : "";
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String below = nonFinite(node.get(i));
                if (below != null) {
                    return "/" + i + below;
                }
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String below = nonFinite(field.getValue());
                if (below != null) {
                    return "/" + field.getKey().replace("~", "~0").replace("/", "~1") + below;
                }
            }
        }
        return null;
    }

    private static ObjectMapper bodyMapper() {
        ObjectMapper mapper = Json.MAPPER.copy();  // the same strictness (duplicate keys, trailing tokens)
        mapper.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
        return mapper;
    }

    /** The {@code X-Meridian-Write-Concern} header, or null when absent. */
    public static WriteConcern writeConcern(String header) {
        if (header == null) {
            return null;
        }
        try {
            return WriteConcern.parse(header);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_WRITE_CONCERN, "X-Meridian-Write-Concern: " + e.getMessage()
                    + "; nothing was written");
        }
    }

    /** The {@code X-Meridian-Read-Concern} header, or null when absent. */
    public static ReadConcern readConcern(String header) {
        if (header == null) {
            return null;
        }
        try {
            return ReadConcern.parse(header);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_READ_CONCERN, "X-Meridian-Read-Concern: " + e.getMessage());
        }
    }
}
