package io.meridian.infra.model;

/**
 * The syntax of tenant ids, document keys and region names, checked in one place. Checked character by character
 * against a table rather than with regular expressions: every WAL record's names are checked in every region's
 * applier, and a regex match per name cost about 5% of the applier's time (bench --only apply, JFR).
 *
 * <pre>
 *   tenant  [a-z0-9][a-z0-9._-]{0,62}
 *   region  [a-z0-9][a-z0-9-]{0,62}
 *   key     [A-Za-z0-9._~:@!$&'()*+,;=-]{1,512}
 * </pre>
 */
public final class Names {
    private static final boolean[] LOWER_OR_DIGIT = table("abcdefghijklmnopqrstuvwxyz0123456789");
    private static final boolean[] TENANT_REST = table("abcdefghijklmnopqrstuvwxyz0123456789._-");
    private static final boolean[] REGION_REST = table("abcdefghijklmnopqrstuvwxyz0123456789-");
    private static final boolean[] KEY_CHARS = table(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~:@!$&'()*+,;=-");

    private Names() {
    }

    public static String requireTenant(String tenant) {
        if (!matches(tenant, LOWER_OR_DIGIT, TENANT_REST, 63)) {
            throw new IllegalArgumentException("invalid tenant id '" + tenant
                    + "': use 1-63 characters a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        return tenant;
    }

    public static String requireRegion(String region) {
        if (!matches(region, LOWER_OR_DIGIT, REGION_REST, 63)) {
            throw new IllegalArgumentException("invalid region name '" + region
                    + "': use 1-63 characters a-z, 0-9, '-', starting with a letter or digit");
        }
        return region;
    }

    public static String requireKey(String key) {
        if (!matches(key, KEY_CHARS, KEY_CHARS, 512)) {
            throw new IllegalArgumentException("invalid document key '" + key
                    + "': use 1-512 URL-safe characters (letters, digits, and . _ ~ : @ ! $ & ' ( ) * + , ; = -)");
        }
        return key;
    }

    /** 1 to {@code maxLength} characters, the first in {@code first}, the others in {@code rest}. */
    private static boolean matches(String name, boolean[] first, boolean[] rest, int maxLength) {
        if (name == null || name.isEmpty() || name.length() > maxLength || !in(first, name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!in(rest, name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean in(boolean[] table, char c) {
        return c < table.length && table[c];
    }

    private static boolean[] table(String chars) {
        boolean[] table = new boolean[128];
        chars.chars().forEach(c -> table[c] = true);
        return table;
    }
}
