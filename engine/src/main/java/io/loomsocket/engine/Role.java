package io.loomsocket.engine;

/**
 * Which end of the connection this engine plays. It decides the masking rules of RFC 6455 §5.1:
 * a client masks every frame it sends and rejects masked frames; a server rejects unmasked frames
 * and never masks.
 */
public enum Role {
    CLIENT,
    SERVER;

    /** True when frames this role sends must be masked (RFC 6455 §5.3). */
    public boolean masksOutgoing() {
        return this == CLIENT;
    }

    /** True when frames this role receives must be masked (RFC 6455 §5.1). */
    public boolean expectsMaskedIncoming() {
        return this == SERVER;
    }
}
