package io.meridian.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A document as a region holds it ({@code 200} to a read). Immutable.
 *
 * @param value    the document, as it was written
 * @param position the position of the write that produced it: its version, for {@code If-Match}
 * @param epoch    the placement epoch it was written under
 * @param region   the region that served the read ({@code X-Meridian-Region})
 */
public record Document(String tenant, String key, JsonNode value, Position position, long epoch, String region) {
}
