package io.loomsocket.web;

import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The decorators and shortcuts of the web layer, meant for a static import
 * ({@code import static io.loomsocket.web.Views.*;}).
 *
 * <pre>{@code
 * List<UrlPattern> urls = List.of(
 *     path("^index/$", v::index),
 *     path("^echo_once$", requireWebSocket(v::echoOnce)),
 *     path("^echo$", acceptWebSocket(v::echo)),
 *     path("^chat$", requireWebSocket(v::chat).subprotocols("chat.v1")));
 * }</pre>
 */
public final class Views {
    private Views() {}

    /** dwebsocket's {@code @accept_websocket}: the view takes WebSocket and plain HTTP requests. */
    public static WebSocketView acceptWebSocket(View view) {
        return new WebSocketView(view, WebSocketView.Mode.ACCEPT, List.of());
    }

    /** dwebsocket's {@code @require_websocket}: the view takes WebSocket requests only; plain HTTP gets 400. */
    public static WebSocketView requireWebSocket(View view) {
        return new WebSocketView(view, WebSocketView.Mode.REQUIRE, List.of());
    }

    /** Django's {@code require_http_methods}: other methods get 405 with an {@code Allow} header. */
    public static View requireMethods(View view, String... methods) {
        Set<String> allowed = new TreeSet<>();
        for (String m : methods) allowed.add(m.toUpperCase(Locale.ROOT));
        if (allowed.contains("GET")) allowed.add("HEAD");
        return new MethodsView(view, Collections.unmodifiableSet(allowed));
    }

    /** A view limited to some methods; keeps the WebSocket marking of the view inside. */
    record MethodsView(View inner, Set<String> allowed) implements DecoratedView {
        @Override
        public Optional<Response> check(Request request) {
            if (allowed.contains(request.method())) return Optional.empty();
            return Optional.of(Response.error(405, request.method() + " is not allowed here").header("Allow", String.join(", ", allowed)));
        }
    }

    /** How a view takes WebSockets, looking through decorators ({@link DecoratedView}); null for a plain view. */
    static WebSocketView webSocketMarking(View view) {
        while (true) {
            if (view instanceof WebSocketView w) return w;
            if (view instanceof DecoratedView d) view = d.inner();
            else return null;
        }
    }

    /**
     * True if {@code view}, or a view it decorates (through {@link DecoratedView} and the
     * WebSocket marking), is of {@code type}: how middleware finds a marker such as
     * {@code Auth.csrfExempt} whatever the decorators around it.
     */
    public static boolean isDecoratedWith(View view, Class<? extends View> type) {
        while (view != null) {
            if (type.isInstance(view)) return true;
            if (view instanceof DecoratedView d) view = d.inner();
            else if (view instanceof WebSocketView w) view = w.view();
            else return false;
        }
        return false;
    }

    /** A URL pattern (see {@link UrlPattern}). */
    public static UrlPattern path(String regex, View view) {
        return UrlPattern.of(regex, view, null);
    }

    /** A named URL pattern. */
    public static UrlPattern path(String regex, View view, String name) {
        return UrlPattern.of(regex, view, name);
    }

    /**
     * Django's {@code render}: the template {@code name} with {@code context} (plus {@code request})
     * as an HTML response.
     */
    public static Response render(Request request, String name, Map<String, ?> context) {
        Map<String, Object> ctx = new LinkedHashMap<>(context);
        ctx.putIfAbsent("request", request);
        return Response.html(request.app().templates().render(name, ctx));
    }

    public static Response render(Request request, String name) {
        return render(request, name, Map.of());
    }

    /**
     * Finds the views of a views object: its public methods taking a {@link Request} and
     * returning a {@link Response} (or void, for WebSocket views), decorated as their
     * {@link AcceptWebSocket} / {@link RequireWebSocket} annotations say.
     *
     * @throws IllegalArgumentException if two views share a name, a method has both
     *     annotations, or an annotated method has the wrong signature
     */
    public static ScannedViews scan(Object views) {
        Map<String, View> found = new LinkedHashMap<>();
        Method[] methods = views.getClass().getMethods();
        Arrays.sort(methods, (a, b) -> a.getName().compareTo(b.getName()));
        for (Method m : methods) {
            if (m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers())) continue;
            AcceptWebSocket accept = m.getAnnotation(AcceptWebSocket.class);
            RequireWebSocket require = m.getAnnotation(RequireWebSocket.class);
            boolean viewShaped = m.getParameterCount() == 1 && m.getParameterTypes()[0] == Request.class
                    && (m.getReturnType() == Response.class || m.getReturnType() == void.class);
            if (!viewShaped) {
                if (accept != null || require != null) {
                    throw new IllegalArgumentException(m + " is annotated as a view but is not 'Response name(Request)' or 'void name(Request)'");
                }
                continue;
            }
            if (accept != null && require != null) {
                throw new IllegalArgumentException(m + " has both @AcceptWebSocket and @RequireWebSocket");
            }
            if (found.containsKey(m.getName())) throw new IllegalArgumentException("two views named " + m.getName() + " in " + views.getClass());
            try {
                m.setAccessible(true);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot call " + m + " (open its package to io.loomsocket.server?)", e);
            }
            View view = new MethodView(views, m, direct(views, m));
            if (accept != null) view = acceptWebSocket(view).subprotocols(accept.subprotocols());
            if (require != null) view = requireWebSocket(view).subprotocols(require.subprotocols());
            found.put(m.getName(), view);
        }
        return new ScannedViews(views.getClass().getName(), Collections.unmodifiableMap(found));
    }

    /** The views found by {@link #scan}, by method name. */
    public record ScannedViews(String className, Map<String, View> views) {
        /** The view made from the method {@code name}. */
        public View get(String name) {
            View v = views.get(name);
            if (v == null) throw new IllegalArgumentException("no view method '" + name + "' in " + className + "; views: " + views.keySet());
            return v;
        }
    }

    /**
     * A class made at run time whose {@code handle} calls {@code m} on {@code target} directly
     * (LambdaMetafactory), or null when it cannot be made (a {@code void} method, or a package this
     * module may not look into): the caller then goes through reflection. A WebSocket view parks on
     * its connection's thread for the connection's life, and every frame between it and the
     * connection's loop stays on the heap; reflection adds three or more.
     */
    private static View direct(Object target, Method m) {
        if (m.getReturnType() != Response.class || Modifier.isStatic(m.getModifiers())) return null;
        try {
            Class<?> owner = m.getDeclaringClass();
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(owner, MethodHandles.lookup());
            MethodHandle impl = lookup.unreflect(m);
            MethodType handle = MethodType.methodType(Response.class, Request.class);
            MethodHandle factory = LambdaMetafactory.metafactory(lookup, "handle", MethodType.methodType(View.class, owner),
                    handle, impl, handle).getTarget();
            return (View) factory.invoke(target);
        } catch (Throwable e) {
            return null; // reflection it is
        }
    }

    /** The view to call for {@code view}: a scanned method's direct caller when it has one. */
    static View callable(View view) {
        return view instanceof MethodView m && m.direct() != null ? m.direct() : view;
    }

    /** A view made from a method by {@link #scan}; {@code direct} calls it without reflection (may be null). */
    record MethodView(Object target, Method method, View direct) implements View {
        @Override
        public Response handle(Request request) throws Exception {
            if (direct != null) return direct.handle(request);
            try {
                return (Response) method.invoke(target, request);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof Exception ex) throw ex;
                if (e.getCause() instanceof Error err) throw err;
                throw e;
            }
        }

        @Override
        public String toString() {
            return method.getDeclaringClass().getSimpleName() + "." + method.getName();
        }
    }
}
