package io.loomsocket.web;

import io.loomsocket.server.HttpDate;
import io.loomsocket.server.HttpException;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Serves static files from a folder or from the classpath, as a view mounted at the
 * {@code static.url} prefix. Refuses any path that could leave the root: {@code ..}
 * segments, backslashes, NUL, absolute paths, and (for folders) symbolic links pointing out.
 * Answers {@code If-Modified-Since} with 304.
 */
public final class StaticFiles implements View {
    private final Path folder;        // real path, or null
    private final String classpathPrefix; // "static/", or null
    private final ClassLoader classLoader;
    private final boolean allowHidden;

    private StaticFiles(Path folder, String classpathPrefix, ClassLoader classLoader, boolean allowHidden) {
        this.folder = folder;
        this.classpathPrefix = classpathPrefix;
        this.classLoader = classLoader;
        this.allowHidden = allowHidden;
    }

    /** {@code classpath:<prefix>} or a folder path; hidden files are refused. */
    public static StaticFiles of(String dir, ClassLoader classLoader) {
        return of(dir, classLoader, false);
    }

    /**
     * {@code classpath:<prefix>} or a folder path. Unless {@code allowHidden}, a path with a segment
     * that starts with {@code .} ({@code .env}, {@code .git/config}) is a 404, as nginx configurations
     * and Django's {@code collectstatic} (which skips them) keep such files out of reach.
     */
    public static StaticFiles of(String dir, ClassLoader classLoader, boolean allowHidden) {
        if (dir.startsWith("classpath:")) {
            String prefix = dir.substring("classpath:".length());
            while (prefix.startsWith("/")) prefix = prefix.substring(1);
            if (!prefix.isEmpty() && !prefix.endsWith("/")) prefix += "/";
            return new StaticFiles(null, prefix, classLoader, allowHidden);
        }
        try {
            return new StaticFiles(Path.of(dir).toRealPath(), null, classLoader, allowHidden);
        } catch (IOException e) {
            throw new SettingsException("static.dir '" + dir + "' is not a readable folder: " + e.getMessage(), e);
        }
    }

    @Override
    public Response handle(Request request) throws IOException {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Response.error(405, "static files are read-only").header("Allow", "GET, HEAD");
        }
        String relative = request.pathParams().getOrDefault("path", "");
        if (!isSafe(relative) || (!allowHidden && isHidden(relative))) throw new HttpException(404, "not found");
        Response response = folder != null ? fromFolder(relative) : fromClasspath(relative);
        if (response == null) throw new HttpException(404, "not found");
        String lastModified = response.headers().get("Last-Modified");
        Optional<String> since = request.header("If-Modified-Since");
        if (lastModified != null && since.isPresent() && notModifiedSince(lastModified, since.get())) {
            return Response.status(304).header("Last-Modified", lastModified);
        }
        return response.header("Cache-Control", "no-cache");
    }

    /** A relative path with no way out of the root. */
    static boolean isSafe(String relative) {
        if (relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\\') >= 0 || relative.indexOf('\0') >= 0
                || relative.indexOf(':') >= 0) {
            return false;
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) return false;
        }
        return true;
    }

    /** True if a segment of {@code relative} starts with '.' (a hidden file or folder). */
    static boolean isHidden(String relative) {
        return relative.startsWith(".") || relative.contains("/.");
    }

    private Response fromFolder(String relative) throws IOException {
        Path file = folder.resolve(relative).normalize();
        if (!file.startsWith(folder) || !Files.isRegularFile(file)) return null;
        Path real = file.toRealPath();
        if (!real.startsWith(folder)) return null; // a symbolic link leading out
        // nor a visible symbolic link to a hidden file inside the folder
        if (!allowHidden && isHidden(folder.relativize(real).toString().replace('\\', '/'))) return null;
        return Response.file(real);
    }

    private Response fromClasspath(String relative) throws IOException {
        URL url = classLoader.getResource(classpathPrefix + relative);
        if (url == null) return null;
        URLConnection conn = url.openConnection();
        if (conn instanceof JarURLConnection jar && (jar.getJarEntry() == null || jar.getJarEntry().isDirectory())) return null;
        if ("file".equals(url.getProtocol())) {
            try {
                Path p = Path.of(url.toURI());
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return null;
            } catch (java.net.URISyntaxException e) {
                return null;
            }
        }
        long length = conn.getContentLengthLong();
        long modified = conn.getLastModified();
        try (InputStream ignored = conn.getInputStream()) {
            // opened and closed once to fail now (404) rather than halfway through the response
        }
        Response r = length >= 0
                ? Response.stream(length, ContentTypes.of(relative), () -> url.openConnection().getInputStream())
                : Response.bytes(readAll(url), ContentTypes.of(relative));
        if (modified > 0) r.header("Last-Modified", HttpDate.format(Instant.ofEpochMilli(modified)));
        return r;
    }

    private static byte[] readAll(URL url) throws IOException {
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        }
    }

    private static boolean notModifiedSince(String lastModified, String since) {
        Optional<Instant> lm = HttpDate.parse(lastModified);
        Optional<Instant> s = HttpDate.parse(since);
        // RFC 9110 §13.1.3: an invalid date is ignored
        return lm.isPresent() && s.isPresent() && !lm.get().isAfter(s.get());
    }
}
