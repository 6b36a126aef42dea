package io.parley.gateway.attachments;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where {@link S3BlobStore} keeps blobs, as one URL says it:
 * {@code s3://bucket[/prefix][?endpoint=http://host:port&region=us-east-1&path_style=true]}.
 * Without {@code endpoint} the bucket is on AWS; {@code region} defaults to {@code us-east-1};
 * {@code path_style} (bucket in the path, not the host name) defaults to false, and most
 * self-hosted servers need it true; {@code public_endpoint} is the same server as clients reach
 * it, when that differs from how the nodes reach it (a server on an internal network behind a
 * public host name that passes the Host header on). Credentials never go in the URL.
 *
 * @param bucket    the bucket's name
 * @param prefix    the folder the blobs go under, without slashes at either end; empty for none
 * @param endpoint  the server of an S3-compatible service; empty for AWS
 * @param region    the signing region
 * @param pathStyle whether requests name the bucket in the path
 * @param publicEndpoint the server as the download links name it; empty for {@code endpoint}
 */
public record S3Location(String bucket, String prefix, Optional<URI> endpoint, String region, boolean pathStyle,
                         Optional<URI> publicEndpoint) {
    /** What the URL may look like, for error messages. */
    public static final String FORMAT = "s3://bucket[/prefix][?endpoint=http://host:port&region=us-east-1"
            + "&path_style=true&public_endpoint=https://host]";

    static final String DEFAULT_REGION = "us-east-1";

    /** Lenient on purpose: self-hosted servers accept more than AWS's rules for bucket names. */
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,254}");

    public S3Location {
        if (bucket == null || !BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("not a bucket name: " + bucket);
        }
        prefix = prefix == null ? "" : strip(prefix);
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("the region is blank");
        }
        Objects.requireNonNull(endpoint, "endpoint").ifPresent(uri -> checkEndpoint("endpoint", uri));
        Objects.requireNonNull(publicEndpoint, "publicEndpoint").ifPresent(uri -> checkEndpoint("public_endpoint", uri));
    }

    /** Reads an {@code s3://} URL (see {@link #FORMAT}); throws if anything in it is off. */
    public static S3Location parse(String url) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL (" + e.getReason() + "); expected " + FORMAT);
        }
        if (!"s3".equalsIgnoreCase(uri.getScheme()) || uri.isOpaque() || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("expected " + FORMAT);
        }
        if (uri.getRawAuthority().contains("@")) {
            // Said without echoing the URL: what precedes the @ is likely a secret.
            throw new IllegalArgumentException("credentials do not go in the s3:// URL: set "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or use a profile or an instance role)");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("an s3:// URL has no #fragment; expected " + FORMAT);
        }
        URI endpoint = null;
        URI publicEndpoint = null;
        String region = DEFAULT_REGION;
        boolean pathStyle = false;
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            Set<String> seen = new HashSet<>();
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("\"" + name + "\" appears twice in the s3:// URL");
                }
                switch (name) {
                    case "endpoint" -> endpoint = endpoint(name, value);
                    case "region" -> region = value;
                    case "path_style" -> pathStyle = bool(name, value);
                    case "public_endpoint" -> publicEndpoint = endpoint(name, value);
                    default -> throw new IllegalArgumentException("unknown parameter \"" + name
                            + "\" in the s3:// URL; known: endpoint, region, path_style, public_endpoint");
                }
            }
        }
        return new S3Location(uri.getRawAuthority(), uri.getPath(), Optional.ofNullable(endpoint), region, pathStyle,
                Optional.ofNullable(publicEndpoint));
    }

    /** The server the download links name: the public endpoint, else the endpoint (empty: AWS). */
    public Optional<URI> linkEndpoint() {
        return publicEndpoint.or(() -> endpoint);
    }

    /** The object name of a blob: the key under the prefix. */
    public String objectName(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /** {@code s3://bucket} or {@code s3://bucket/prefix}: where, without the server. */
    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** @param name the parameter, for the error message */
    private static URI endpoint(String name, String value) {
        try {
            URI endpoint = new URI(value);
            checkEndpoint(name, endpoint);
            return endpoint;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a URL (" + e.getReason() + ")");
        }
    }

    private static void checkEndpoint(String name, URI endpoint) {
        if (endpoint.getRawUserInfo() != null) {
            throw new IllegalArgumentException("credentials do not go in the " + name + ": set "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        String scheme = endpoint.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || endpoint.getHost() == null) {
            throw new IllegalArgumentException(name + " must be an http:// or https:// URL with a host, got: " + endpoint);
        }
    }

    private static boolean bool(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got: " + value);
        };
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    private static String strip(String prefix) {
        int start = 0;
        int end = prefix.length();
        while (start < end && prefix.charAt(start) == '/') {
            start++;
        }
        while (end > start && prefix.charAt(end - 1) == '/') {
            end--;
        }
        return prefix.substring(start, end);
    }
}
