package io.sagaorchestrator.web.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The machine's Chromium (Debian's chromium and chromium-driver packages), headless, with a fresh profile. When
 * either is missing, the tests fail in CI, saying how to install them (a console test that silently skips there
 * proves nothing), and are reported as skipped, with the same words, on a machine that has only a JDK.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("console.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("console.test.chromedriver", "/usr/bin/chromedriver"));
    /** Where the tests leave their screenshots; the README's come from here (copied to src/docs). */
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    /** In CI (CI=true, as .ci/run is run) a missing browser fails the tests instead of skipping them. */
    private static final boolean REQUIRED = "true".equalsIgnoreCase(System.getenv("CI"))
            || Boolean.getBoolean("console.browser-tests.required");

    final WebDriver driver;
    private final Path profile;

    private HeadlessChromium(WebDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static HeadlessChromium start() {
        for (Path binary : new Path[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(binary)) {
                String why = binary + " is missing, so the console's browser tests cannot run. Install Chromium"
                        + " and its driver: apt-get update && apt-get install -y chromium chromium-driver (.ci/run does)";
                // CI must prove the console in a browser; a newcomer's machine with only a JDK still runs the rest
                if (REQUIRED) {
                    throw new AssertionError(why);
                }
                Assumptions.abort(why + "; skipped here, required where CI=true");
            }
        }
        try {
            Path profile = Files.createTempDirectory("console-test-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--disable-quic", "--disable-extensions", "--lang=en-US", "--window-size=1280,900",
                    "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return new HeadlessChromium(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    WebElement find(String css) {
        return waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
    }

    /**
     * Clicks a button that posts a form and waits until the browser has replaced the page: an element looked up at once
     * could still be the old page's, and go stale under the caller.
     */
    void submit(String css) {
        // a mark on the window, which the next page does not have; asking whether the old page's element went stale
        // races the navigation in ChromeDriver ("Node with given id does not belong to the document")
        JavascriptExecutor js = (JavascriptExecutor) driver;
        js.executeScript("window.beforeTheSubmit = true;");
        find(css).click();
        waiting().ignoring(WebDriverException.class)
                .until(d -> Boolean.FALSE.equals(js.executeScript("return window.beforeTheSubmit === true;")));
        find("body");
    }

    /** The whole page as a PNG: the window is made as tall as the page first. */
    Path screenshot(String name) {
        Dimension before = driver.manage().window().getSize();
        try {
            long height = (Long) ((JavascriptExecutor) driver).executeScript(
                    "return Math.ceil(document.documentElement.scrollHeight)");
            driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(Math.max(height + 120, 600), 4000)));
            byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, png);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException ignored) {
                // a temporary directory; the OS cleans it eventually
            }
        }
    }
}
