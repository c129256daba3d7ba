package io.mqttra.samples.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Payara Server's admin console in headless Chromium, driven the way an operator clicks through it.
 * A domain made with {@code --nopassword} logs the browser in by itself.
 */
final class AdminConsole implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("it.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("it.chromedriver", "/usr/bin/chromedriver"));

    /** The console is deployed lazily on the first request, which takes a while on a loaded machine. */
    private static final Duration FIRST_LOAD = Duration.ofMinutes(3);

    private static final Duration PAGE_LOAD = Duration.ofSeconds(30);

    /** Held so that the levels stick: Selenium warns on every start that it has no DevTools for this Chromium. */
    private static final Logger[] DEVTOOLS_LOGS = {
        Logger.getLogger("org.openqa.selenium.devtools"), Logger.getLogger("org.openqa.selenium.chromium")
    };

    static {
        for (Logger log : DEVTOOLS_LOGS) {
            log.setLevel(Level.SEVERE);
        }
    }

    private final WebDriver driver;
    private final Path screenshots;

    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    AdminConsole(Path screenshots) throws IOException {
        this.screenshots = Files.createDirectories(screenshots);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        // The Debian driver matches the Debian browser; no Selenium Manager download.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(FIRST_LOAD);
    }

    /** Opens the console's home page and waits until its navigation tree is there. */
    void open(int adminPort) {
        driver.get("http://127.0.0.1:" + adminPort + "/");
        new WebDriverWait(driver, FIRST_LOAD, Duration.ofSeconds(1))
                .until(ExpectedConditions.visibilityOfElementLocated(By.linkText("Resource Adapter Configs")));
    }

    /** Clicks a link (tree node or page link) by its text and waits for the page it leads to. */
    void click(String linkText, String expectedTitle) {
        // The same text can be both a tree node and a link on the page; the hidden one cannot be clicked.
        driver.findElements(By.linkText(linkText)).stream()
                .filter(WebElement::isDisplayed)
                .findFirst()
                .orElseThrow(
                        () -> new IllegalStateException("No visible link '" + linkText + "' on " + driver.getTitle()))
                .click();
        new WebDriverWait(driver, PAGE_LOAD).until(ExpectedConditions.titleIs(expectedTitle));
    }

    /** Whether the current page shows a link with exactly this text (the console links each listed item). */
    boolean showsLink(String text) {
        return driver.findElements(By.linkText(text)).stream().anyMatch(WebElement::isDisplayed);
    }

    Path screenshot(String name) throws IOException {
        Path file = screenshots.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
