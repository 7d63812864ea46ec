package io.loomsocket.web.auth;

import io.loomsocket.web.Request;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.util.List;
import java.util.Map;

/**
 * The template side of {@link CsrfMiddleware}, registered with every application's templates:
 * {@code {{ csrf_input() }}} writes Django's {@code {% csrf_token %}} (a hidden
 * {@code csrfmiddlewaretoken} field) into a form, {@code {{ csrf_token() }}} the token alone (for
 * a {@code <meta>} that scripts send as {@code X-CSRFToken}). Both need the {@code request}
 * that {@code render} puts in the context.
 */
public final class CsrfTemplateFunctions extends AbstractExtension {

    @Override
    public Map<String, Function> getFunctions() {
        return Map.of("csrf_input", new Token(true), "csrf_token", new Token(false));
    }

    private record Token(boolean input) implements Function {
        @Override
        public List<String> getArgumentNames() {
            return List.of();
        }

        @Override
        public Object execute(Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int lineNumber) {
            if (!(context.getVariable("request") instanceof Request request)) {
                throw new IllegalStateException("csrf_" + (input ? "input" : "token") + "() needs the request in the template context (use render(request, ...))");
            }
            String token = CsrfMiddleware.token(request); // letters and digits only: nothing to escape
            return input ? new SafeString("<input type=\"hidden\" name=\"" + CsrfMiddleware.FORM_FIELD + "\" value=\"" + token + "\">") : token;
        }
    }
}
