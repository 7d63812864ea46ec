package io.loomsocket.interop.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.interop.servers.OurServer;
import io.loomsocket.testing.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The seed's demo in a real browser: headless Chromium opens {@code /index/},
 * types, clicks Send and sees the echo; then {@code /index2/}: Connect, three messages, three
 * echoes, Close. The demo server runs in-process with the demo's own URL patterns.
 */
@IntegrationTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrowserDemoTest {

    static final Duration WAIT = Duration.ofSeconds(15);
    static OurServer server;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        server = OurServer.start();
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() {
        try {
            if (chromium != null) chromium.close();
        } finally {
            if (server != null) server.close();
        }
    }

    /** Saves what the page looked like when a check failed, to target/browser-NAME.png. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final org.junit.jupiter.api.extension.TestWatcher screenshots = new org.junit.jupiter.api.extension.TestWatcher() {
        @Override public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
            try {
                byte[] png = chromium.driver().getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
                java.nio.file.Path file = java.nio.file.Path.of("target", "browser-" + context.getDisplayName().replaceAll("\\W+", "_") + ".png");
                java.nio.file.Files.write(file, png);
                System.err.println("screenshot of the failed page: " + file.toAbsolutePath());
            } catch (Exception e) {
                System.err.println("no screenshot: " + e);
            }
        }
    };

    static List<String> received(ChromeDriver d) {
        return d.findElements(By.cssSelector("#messages .message")).stream().map(WebElement::getText).toList();
    }

    static void type(ChromeDriver d, String text) {
        WebElement input = d.findElement(By.id("message"));
        input.clear();
        input.sendKeys(text);
    }

    @Test
    void indexSendsOnceAndShowsTheEcho() {
        ChromeDriver d = chromium.driver();
        d.get(server.httpUrl("/index/"));
        assertThat(d.getTitle()).contains("echo once");
        type(d, "héllo from Chromium ✓");
        d.findElement(By.id("send_message")).click();
        new WebDriverWait(d, WAIT).until(x -> received(d).size() == 1);
        assertThat(received(d)).containsExactly("Received: héllo from Chromium ✓");
        // a second Send opens a new connection to /echo_once (the first one was closed by the server)
        type(d, "again");
        d.findElement(By.id("send_message")).click();
        new WebDriverWait(d, WAIT).until(x -> received(d).size() == 2);
        assertThat(received(d)).containsExactly("Received: héllo from Chromium ✓", "Received: again");
    }

    @Test
    void index2ConnectsSendsThreeAndCloses() {
        ChromeDriver d = chromium.driver();
        d.get(server.httpUrl("/index2/"));
        WebDriverWait wait = new WebDriverWait(d, WAIT);
        assertThat(d.findElement(By.id("send")).isEnabled()).as("Send is disabled until connected").isFalse();
        d.findElement(By.id("connect")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        for (String m : List.of("one", "two ✓", "three 🎉")) {
            type(d, m);
            d.findElement(By.id("send")).click();
        }
        wait.until(x -> received(d).size() >= 3);
        assertThat(received(d)).containsExactly("Received: one", "Received: two ✓", "Received: three 🎉");
        d.findElement(By.id("close")).click();
        wait.until(ExpectedConditions.textMatches(By.id("status"), java.util.regex.Pattern.compile("closed.*")));
        assertThat(d.findElement(By.id("status")).getText()).isEqualTo("closed (1000)");
        assertThat(d.findElement(By.id("connect")).isEnabled()).isTrue();
    }
}
