package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.server.HttpException;
import org.junit.jupiter.api.Test;

class ParamsTest {
    @Test
    void formEncoding() {
        Params p = Params.parse("a=1&a=2&b=x+y%21&empty=&flag&&c=%E2%82%AC");
        assertThat(p.all("a")).containsExactly("1", "2");
        assertThat(p.first("b")).contains("x y!");
        assertThat(p.get("empty", "-")).isEmpty();
        assertThat(p.get("flag", "-")).isEmpty();
        assertThat(p.first("c")).contains("\u20ac");
        assertThat(p.first("missing")).isEmpty();
        assertThat(Params.decode("a+b%2B", false)).isEqualTo("a+b+");
    }

    @Test
    void malformedEscapesAre400() {
        for (String bad : new String[] {"a=%", "a=%4", "a=%zz", "a=%\u0663\u0663"}) {
            assertThatThrownBy(() -> Params.parse(bad)).as(bad).isInstanceOf(HttpException.class)
                    .satisfies(e -> assertThat(((HttpException) e).status()).isEqualTo(400));
        }
    }

    @Test
    void tooManyParametersIs400() {
        String many = "x=1&".repeat(Params.MAX_PARAMS + 1);
        assertThatThrownBy(() -> Params.parse(many)).isInstanceOf(HttpException.class);
        assertThat(Params.parse("x=1&".repeat(Params.MAX_PARAMS)).all("x")).hasSize(Params.MAX_PARAMS);
    }
}
