package io.loomsocket.web.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** CSRF token masking as Django's csrf middleware does it. */
class CsrfTokenTest {
    private static final String SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF";

    @Test
    void unmasksATokenMaskedByDjango() {
        // Django 3.2: csrf._salt_cipher_secret('abcdefghijklmnopqrstuvwxyzABCDEF')
        assertThat(CsrfMiddleware.unmask("0RZib9RKSU0zfUEaWt9mN1YJYSJEPwQE0S1lfeXR03aKr7SpcKrF7mk6mh95hZk9")).isEqualTo(SECRET);
    }

    @Test
    void eachMaskingDiffersAndUnmasksToTheSecret() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String t = CsrfMiddleware.mask(SECRET);
            assertThat(t).hasSize(64).matches("[a-zA-Z0-9]+");
            assertThat(CsrfMiddleware.unmask(t)).isEqualTo(SECRET);
            tokens.add(t);
        }
        assertThat(tokens).hasSize(100);
    }
}
