package io.loomsocket.interop.browser;

import io.loomsocket.testing.Chromedriver;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven by Debian's chromedriver through Selenium, with explicit paths
 * so that Selenium Manager never tries to download a browser or driver. Each instance has a fresh
 * profile folder, deleted on close. Selenium is for the interop tests that read the browser's
 * console and DevTools network logs; other modules drive the same binaries with the fixtures'
 * {@link Chromedriver}, which needs no client library.
 */
public final class Chromium implements AutoCloseable {

    public static final Path BROWSER = Chromedriver.BROWSER;
    public static final Path DRIVER = Chromedriver.DRIVER;

    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    public Chromium() throws IOException {
        this(null);
    }

    /**
     * With chromedriver's logs switched on ({@code goog:loggingPrefs}): {@code browser} holds the
     * console messages and failed loads, {@code performance} the DevTools Network events; read
     * them with {@code driver().manage().logs().get(type)}. Null for none.
     */
    public Chromium(LoggingPreferences logs) throws IOException {
        require();
        profile = Files.createTempDirectory("loomsocket-chromium-");
        service = new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .withTimeout(Duration.ofSeconds(30))
            .withLogFile(new File(System.getProperty("java.io.tmpdir"), "loomsocket-chromedriver.log"))
            .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        if (logs != null) options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver d;
        try {
            d = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile();
            throw e;
        }
        driver = d;
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(90));
    }

    /** Fails with how to install when Chromium or chromedriver is missing. */
    public static void require() {
        Chromedriver.require();
    }

    public ChromeDriver driver() { return driver; }

    @Override public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp folder is harmless
        }
    }
}
