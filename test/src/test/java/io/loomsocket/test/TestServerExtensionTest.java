package io.loomsocket.test;

import static io.loomsocket.web.Views.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Response;
import io.loomsocket.web.WebApp;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension's life cycle: one server per class on a static field, one per test on an instance field. */
@IntegrationTest
class TestServerExtensionTest {
    static WebApp app(io.loomsocket.web.Settings settings) {
        return WebApp.builder().settings(settings).urls(path("^$", r -> Response.text("up " + settings.duration("websocket.write_timeout")))).build();
    }

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerTest {
        static TestServer first;

        @RegisterExtension
        final TestServerExtension server = TestServerExtension.of(TestServerExtensionTest::app);

        @Test
        @Order(1)
        void firstTestGetsAServer() {
            first = server.server();
            assertThat(server.client().get("/").text()).startsWith("up");
        }

        @Test
        @Order(2)
        void theNextGetsAnotherAndTheFirstIsStopped() {
            assertThat(server.server()).isNotSameAs(first);
            assertThat(first.server().isStopping()).isTrue();
            assertThat(server.client().get("/").status()).isEqualTo(200);
        }
    }

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerClass {
        static TestServer first;

        @RegisterExtension
        static final TestServerExtension server = TestServerExtension.of(TestServerExtensionTest::app)
                .settings(s -> s.set("websocket.write_timeout", "7s"));

        @Test
        @Order(1)
        void firstTestGetsTheServer() {
            first = server.server();
            assertThat(server.client().get("/").text()).isEqualTo("up PT7S");
        }

        @Test
        @Order(2)
        void theNextGetsTheSameOneStillRunning() {
            assertThat(server.server()).isSameAs(first);
            assertThat(first.server().isStopping()).isFalse();
            assertThat(server.client().get("/").status()).isEqualTo(200);
        }
    }
}
