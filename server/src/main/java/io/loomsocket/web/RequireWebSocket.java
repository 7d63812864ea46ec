package io.loomsocket.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** On a method of a views class: it takes WebSocket requests only; plain HTTP gets 400 (see {@link Views#scan}). */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RequireWebSocket {
    /** Subprotocols the view speaks, first preferred. */
    String[] subprotocols() default {};
}
