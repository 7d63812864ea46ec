package io.loomsocket.web;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.LoaderException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.loader.FileLoader;
import io.pebbletemplates.pebble.loader.Loader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Templates rendered by Pebble (Django/Jinja-like syntax: {@code {{ value }}, {% if %}, {% for %},
 * {% extends %}}), with HTML auto-escaping on. Loaded from the classpath ({@code classpath:templates},
 * the default) or a folder, as the {@code templates.dir} setting says. Thread-safe.
 */
public final class Templates {
    private final PebbleEngine engine;
    private final String where;

    private Templates(PebbleEngine engine, String where) {
        this.engine = engine;
        this.where = where;
    }

    /**
     * @param dir {@code classpath:<prefix>} or a folder path
     * @param cache whether compiled templates are kept
     * @param classLoader where classpath templates are looked up
     */
    public static Templates create(String dir, boolean cache, ClassLoader classLoader) {
        Loader<String> loader;
        if (dir.startsWith("classpath:")) {
            ClasspathLoader cl = new ClasspathLoader(classLoader);
            String prefix = dir.substring("classpath:".length());
            while (prefix.startsWith("/")) prefix = prefix.substring(1);
            cl.setPrefix(prefix.isEmpty() ? null : prefix);
            loader = cl;
        } else {
            Path folder = Path.of(dir);
            if (!Files.isDirectory(folder)) throw new SettingsException("templates.dir '" + dir + "' is not a folder");
            FileLoader fl = new FileLoader();
            fl.setPrefix(folder.toAbsolutePath().toString());
            loader = fl;
        }
        PebbleEngine engine = new PebbleEngine.Builder()
                .loader(loader)
                .cacheActive(cache)
                .autoEscaping(true)
                .strictVariables(false)
                .extension(new io.loomsocket.web.auth.CsrfTemplateFunctions()) // {{ csrf_input() }}, {{ csrf_token() }}
                .build();
        return new Templates(engine, dir);
    }

    /**
     * Renders template {@code name} with {@code context}.
     *
     * @throws TemplateException if the template is missing or fails
     */
    public String render(String name, Map<String, Object> context) {
        if (name.contains("..")) throw new TemplateException("template name may not contain '..': " + name, null);
        try {
            PebbleTemplate t = engine.getTemplate(name);
            StringWriter out = new StringWriter();
            t.evaluate(out, context);
            return out.toString();
        } catch (LoaderException e) {
            throw new TemplateException("template '" + name + "' not found in " + where, e);
        } catch (PebbleException e) {
            throw new TemplateException("template '" + name + "' failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A template that is missing or failed to render. */
    public static final class TemplateException extends RuntimeException {
        public TemplateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
