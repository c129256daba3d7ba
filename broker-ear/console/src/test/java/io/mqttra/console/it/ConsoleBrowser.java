package io.mqttra.console.it;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console page in Debian's headless Chromium, through Debian's chromedriver: nothing is downloaded (the driver
 * path is given, so Selenium Manager is not consulted). The administrator's BASIC credentials go in the first URL;
 * the browser keeps them for the page's own API calls.
 */
final class ConsoleBrowser implements AutoCloseable {

    static final String CHROMEDRIVER = System.getProperty("it.chromedriver", "/usr/bin/chromedriver");
    static final String CHROMIUM = System.getProperty("it.chromium", "/usr/bin/chromium");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final WebDriver driver;
    private final WebDriverWait wait;

    private ConsoleBrowser(WebDriver driver) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, WAIT);
    }

    static ConsoleBrowser open(URL console, String user, String password) {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1280,1400");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ConsoleBrowser browser = new ConsoleBrowser(new ChromeDriver(service, options));
        String withCredentials = console.getProtocol() + "://" + user + ":" + password + "@" + console.getHost() + ":"
                + console.getPort() + console.getPath();
        browser.driver.get(withCredentials);
        browser.wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        return browser;
    }

    private static By clientRow(String clientId) {
        return By.cssSelector("#clients tbody tr[data-client-id='" + clientId + "']");
    }

    void awaitClientRow(String clientId) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(clientRow(clientId)));
    }

    void awaitNoClientRow(String clientId) {
        wait.until(ExpectedConditions.invisibilityOfElementLocated(clientRow(clientId)));
    }

    /** Waits until the rate chart has this many points (one per refresh, every two seconds). */
    void awaitRatePoints(int points) {
        new WebDriverWait(driver, Duration.ofSeconds(points * 4L))
                .until(d -> ((org.openqa.selenium.JavascriptExecutor) d)
                                        .executeScript("return document.getElementById('rates').dataset.points")
                                instanceof String n
                        && Integer.parseInt(n) >= points);
    }

    void awaitMessage(String text) {
        wait.until(ExpectedConditions.textToBe(By.id("message"), text));
    }

    void clickDisconnect(String clientId) {
        // The table is redrawn every refresh: find the button just before clicking, and retry a stale one.
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            d.findElement(clientRow(clientId)).findElement(By.tagName("button")).click();
            return true;
        });
    }

    /** Saves a PNG of the page under target/screenshots. */
    Path screenshot(String name) throws java.io.IOException {
        Path dir = Path.of(System.getProperty("it.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path target = dir.resolve(name);
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
