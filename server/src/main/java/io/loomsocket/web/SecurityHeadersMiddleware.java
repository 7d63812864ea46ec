package io.loomsocket.web;

import java.util.Locale;
import java.util.Set;

/**
 * Django's {@code SecurityMiddleware} and {@code XFrameOptionsMiddleware} in one: adds
 * {@code X-Content-Type-Options: nosniff} ({@code secure_content_type_nosniff}),
 * {@code X-Frame-Options} ({@code x_frame_options}: DENY, SAMEORIGIN, or empty for none) and
 * {@code Referrer-Policy} ({@code secure_referrer_policy}, empty for none) to every HTTP
 * response that does not set them itself. The application runs it outside the middleware chain,
 * so the chain a user configures cannot leave it out and responses made before the chain (a
 * refused Host, an undecodable path) get the headers as well. A WebSocket's 101 is not touched.
 */
final class SecurityHeadersMiddleware implements Middleware {
    /** The policies of the Referrer Policy specification (W3C, §3). */
    private static final Set<String> REFERRER_POLICIES = Set.of("no-referrer", "no-referrer-when-downgrade", "origin",
            "origin-when-cross-origin", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url");

    private final boolean nosniff;
    private final String frameOptions;   // null for none
    private final String referrerPolicy; // null for none

    private SecurityHeadersMiddleware(boolean nosniff, String frameOptions, String referrerPolicy) {
        this.nosniff = nosniff;
        this.frameOptions = frameOptions;
        this.referrerPolicy = referrerPolicy;
    }

    /** From the three settings; a value that is not one of the allowed forms is a SettingsException. */
    static SecurityHeadersMiddleware of(Settings settings) {
        String frame = settings.string("x_frame_options").toUpperCase(Locale.ROOT);
        if (!frame.isEmpty() && !frame.equals("DENY") && !frame.equals("SAMEORIGIN")) {
            throw new SettingsException("x_frame_options: '" + settings.string("x_frame_options")
                    + "' must be DENY, SAMEORIGIN, or empty for no X-Frame-Options header");
        }
        String referrer = settings.string("secure_referrer_policy").toLowerCase(Locale.ROOT);
        for (String p : referrer.split(",")) {
            if (!referrer.isEmpty() && !REFERRER_POLICIES.contains(p.strip())) {
                throw new SettingsException("secure_referrer_policy: '" + p.strip() + "' is not a referrer policy (one or more of "
                        + String.join(", ", REFERRER_POLICIES.stream().sorted().toList()) + "), or empty for none");
            }
        }
        return new SecurityHeadersMiddleware(settings.bool("secure_content_type_nosniff"),
                frame.isEmpty() ? null : frame, referrer.isEmpty() ? null : referrer);
    }

    @Override
    public Response processResponse(Request request, Response response) {
        return apply(response);
    }

    /** Adds the headers {@code response} lacks; an upgraded (101) outcome is left alone. */
    Response apply(Response response) {
        if (response.isUpgraded()) return response;
        var h = response.headers();
        if (nosniff && !h.contains("X-Content-Type-Options")) h.set("X-Content-Type-Options", "nosniff");
        if (frameOptions != null && !h.contains("X-Frame-Options")) h.set("X-Frame-Options", frameOptions);
        if (referrerPolicy != null && !h.contains("Referrer-Policy")) h.set("Referrer-Policy", referrerPolicy);
        return response;
    }

    @Override
    public String toString() {
        return "SecurityHeadersMiddleware";
    }
}
