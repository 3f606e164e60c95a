package io.meridian.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** {@code 404 tenant_not_found}: the tenant has no placement (an operator places it first). Nothing was applied. */
public class TenantNotFoundException extends MeridianException {
    public TenantNotFoundException(String message, String tenant, String key, Map<String, JsonNode> details) {
        super("tenant_not_found", 404, message, tenant, key, details, null);
    }
}
