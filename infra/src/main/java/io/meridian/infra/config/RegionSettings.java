package io.meridian.infra.config;

import io.meridian.infra.model.Names;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Validation and parsing of the region settings ({@code region}, {@code regions}) of {@link MeridianConfig}. */
final class RegionSettings {
    private RegionSettings() {
    }

    static ConfigDef.Validator regionName() {
        return (name, value) -> {
            try {
                Names.requireRegion((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }

    static ConfigDef.Validator regionUrls() {
        return (name, value) -> {
            try {
                @SuppressWarnings("unchecked")
                List<String> entries = (List<String>) value;
                parseRegionUrls(entries);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }

    static Map<String, URI> parseRegionUrls(List<String> entries) {
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException("name at least one region, as name=url");
        }
        Map<String, URI> urls = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + entry + "' is not name=url");
            }
            String region = Names.requireRegion(entry.substring(0, eq).trim());
            String url = entry.substring(eq + 1).trim();
            URI uri;
            try {
                uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("region " + region + " has an invalid URL '" + url + "'");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("region " + region + " needs an absolute http(s) URL, got '"
                        + url + "'");
            }
            if (urls.put(region, uri) != null) {
                throw new IllegalArgumentException("region " + region + " is named twice");
            }
        }
        return Collections.unmodifiableMap(urls);
    }
}
