package io.loomsocket.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class (or method) that opens sockets, starts child processes (JVMs, Python, Node,
 * redis-server, nginx, Chromium), or sleeps: the build runs these after the unit tests, in the
 * second surefire execution, and {@code mvn test -Punit} leaves them out (docs/testing.md).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(IntegrationTest.TAG)
public @interface IntegrationTest {
    /** The JUnit tag, as named in the parent pom's surefire executions. */
    String TAG = "integration";
}
