package io.parley.gateway.attachments;

import io.parley.gateway.config.ParleyConfig;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

import static io.parley.gateway.config.Settings.ATTACHMENT_MAX_BYTES;
import static io.parley.gateway.config.Settings.ATTACHMENT_TTL;
import static io.parley.gateway.config.Settings.ATTACHMENT_TYPES;
import static io.parley.gateway.config.Settings.ATTACHMENT_UPLOADS;

/**
 * How a node takes uploads, immutable.
 *
 * @param maxBytes     largest file accepted
 * @param allowedTypes media types accepted, as read from the bytes
 * @param ttl          how long an upload no message carries is kept
 * @param maxUploads   uploads received at once; more are answered 503
 */
public record AttachmentOptions(long maxBytes, Set<String> allowedTypes, Duration ttl, int maxUploads) {
    public AttachmentOptions {
        Objects.requireNonNull(ttl, "ttl");
        allowedTypes = Set.copyOf(allowedTypes);
        if (maxBytes < 1 || maxUploads < 1 || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("maxBytes, maxUploads and ttl must be positive");
        }
    }

    public static AttachmentOptions from(ParleyConfig config) {
        return new AttachmentOptions(config.get(ATTACHMENT_MAX_BYTES), Set.copyOf(config.get(ATTACHMENT_TYPES)),
                config.get(ATTACHMENT_TTL), config.get(ATTACHMENT_UPLOADS));
    }
}
