package io.loomsocket.web.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs strings so that what comes back can be trusted, as Django's {@code django.core.signing}
 * (its {@code Signer} and {@code TimestampSigner}, with {@code algorithm="sha256"}) does, byte
 * for byte: {@code value:signature}, or {@code value:timestamp:signature} with a base-62
 * timestamp in seconds, the signature being the URL-safe base64 (no padding) of
 * HMAC-SHA256(SHA-256(salt + "signer" + secret), the signed part). The salt separates uses: a
 * value signed for sessions does not verify as anything else. Signatures are compared in
 * constant time. Immutable and thread-safe.
 */
public final class Signer {
    private static final char SEP = ':';
    private static final String B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final SecretKeySpec key;

    /**
     * @param secret the application's {@code secret_key}
     * @param salt what the signatures are for (a different salt, a different key)
     */
    public Signer(String secret, String salt) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(salt, "salt");
        try {
            // Django's salted_hmac: key = sha256(key_salt + secret), key_salt = salt + "signer"
            byte[] derived = MessageDigest.getInstance("SHA-256").digest((salt + "signer" + secret).getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(derived, "HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** {@code value:signature}. */
    public String sign(String value) {
        return value + SEP + signature(value);
    }

    /**
     * The value of a {@link #sign}ed string.
     *
     * @throws BadSignature if it is not one, or was changed
     */
    public String unsign(String signed) {
        int sep = signed.lastIndexOf(SEP);
        if (sep < 0) throw new BadSignature("no signature separator");
        String value = signed.substring(0, sep);
        byte[] given = signed.substring(sep + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = signature(value).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, expected)) throw new BadSignature("signature does not match");
        return value;
    }

    /** {@code value:timestamp:signature}, the timestamp being {@code at} in whole seconds. */
    public String signTimestamped(String value, Instant at) {
        return sign(value + SEP + base62(at.getEpochSecond()));
    }

    /**
     * The value and time of a {@link #signTimestamped} string.
     *
     * @throws Expired if it was signed more than {@code maxAge} before {@code now}
     * @throws BadSignature if it is not one, or was changed
     */
    public Timestamped unsignTimestamped(String signed, Duration maxAge, Instant now) {
        String withTime = unsign(signed);
        int sep = withTime.lastIndexOf(SEP);
        if (sep < 0) throw new BadSignature("no timestamp");
        Instant at;
        try {
            at = Instant.ofEpochSecond(base62(withTime.substring(sep + 1)));
        } catch (RuntimeException e) { // signed by us, so only a programming error gets here
            throw new BadSignature("malformed timestamp");
        }
        Duration age = Duration.between(at, now);
        if (age.compareTo(maxAge) > 0) throw new Expired("signature age " + age.toSeconds() + " s > " + maxAge.toSeconds() + " s");
        return new Timestamped(withTime.substring(0, sep), at);
    }

    /** A value and when it was signed. */
    public record Timestamped(String value, Instant signedAt) {}

    private String signature(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static String base62(long n) {
        if (n < 0) throw new IllegalArgumentException("negative timestamp");
        if (n == 0) return "0";
        StringBuilder s = new StringBuilder();
        while (n > 0) {
            s.append(B62.charAt((int) (n % 62)));
            n /= 62;
        }
        return s.reverse().toString();
    }

    static long base62(String s) {
        if (s.isEmpty() || s.length() > 10) throw new IllegalArgumentException("bad base-62 number");
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = B62.indexOf(s.charAt(i));
            if (d < 0) throw new IllegalArgumentException("bad base-62 digit");
            n = n * 62 + d;
        }
        return n;
    }

    /** A signed string that does not verify (tampered, or signed with another key or salt). */
    public static class BadSignature extends RuntimeException {
        public BadSignature(String message) {
            super(message);
        }
    }

    /** A timestamped signature older than allowed. */
    public static final class Expired extends BadSignature {
        public Expired(String message) {
            super(message);
        }
    }
}
