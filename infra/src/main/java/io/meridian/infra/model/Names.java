package io.meridian.infra.model;

import java.util.regex.Pattern;

/** The syntax of tenant ids, document keys and region names, checked in one place. */
public final class Names {
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._~:@!$&'()*+,;=-]{1,512}");

    private Names() {
    }

    public static String requireTenant(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("invalid tenant id '" + tenant
                    + "': use 1-63 characters a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        return tenant;
    }

    public static String requireRegion(String region) {
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("invalid region name '" + region
                    + "': use 1-63 characters a-z, 0-9, '-', starting with a letter or digit");
        }
        return region;
    }

    public static String requireKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid document key '" + key
                    + "': use 1-512 URL-safe characters (letters, digits, and . _ ~ : @ ! $ & ' ( ) * + , ; = -)");
        }
        return key;
    }
}
