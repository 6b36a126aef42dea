package io.parley.gateway.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Which {@code PARLEY_*} environment variables are configuration. The environment is not ours
 * alone: Kubernetes injects service links for a Service named {@code parley} into every pod
 * ({@code PARLEY_SERVICE_HOST}, {@code PARLEY_PORT=tcp://10.0.0.1:8080}, ...) and shells keep
 * leftovers, so a variable that is not a key, or a service link where a key's value should be,
 * is warned about and ignored rather than stopping the node. (The configuration file, written for
 * Parley alone, stays strict.) A variable close to a key gets a "did you mean" in its warning.
 */
final class EnvironmentKeys {
    static final String PREFIX = "PARLEY_";
    /** What Kubernetes writes for a service: {@code <NAME>_SERVICE_HOST}, {@code <NAME>_PORT_8080_TCP_ADDR}, ... */
    private static final Pattern SERVICE_LINK_NAME = Pattern.compile("service_(host|port.*)|port_\\d+_(tcp|udp|sctp).*");
    /** What Kubernetes writes as the value of {@code <NAME>_PORT}, which is also our port key. */
    private static final Pattern SERVICE_LINK_VALUE = Pattern.compile("(tcp|udp|sctp)://.*");

    private EnvironmentKeys() {
    }

    /**
     * The configuration keys (lower case) and values in {@code environment}, leaving out {@code skip}
     * (variables with a meaning of their own) and telling {@code warn} about every other
     * {@code PARLEY_*} variable it ignores, once each.
     */
    static Map<String, String> of(Map<String, String> environment, Set<String> known, Set<String> skip,
                                  Consumer<String> warn) {
        Map<String, String> keys = new TreeMap<>();
        new TreeMap<>(environment).forEach((name, value) -> {
            if (!name.startsWith(PREFIX) || skip.contains(name)) {
                return;
            }
            String key = name.substring(PREFIX.length()).toLowerCase(Locale.ROOT);
            if (SERVICE_LINK_NAME.matcher(key).matches()
                    || key.equals("port") && SERVICE_LINK_VALUE.matcher(value).matches()) {
                warn.accept("ignoring " + name + ": a Kubernetes service link, not configuration (a " + name
                        + " set in the pod spec wins over it; enableServiceLinks: false turns them off)");
            } else if (!known.contains(key)) {
                String near = closest(key, known);
                warn.accept("ignoring " + name + ": not a configuration key"
                        + (near == null ? "" : "; did you mean " + PREFIX + near.toUpperCase(Locale.ROOT) + "?"));
            } else {
                keys.put(key, value);
            }
        });
        return keys;
    }

    /** The known key within two edits of {@code key}, if any (the nearest). */
    private static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int distance = distance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
