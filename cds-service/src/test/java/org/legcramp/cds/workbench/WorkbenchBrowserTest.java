package org.legcramp.cds.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The workbench in a real browser: Debian's headless Chromium through its chromedriver. An
 * informaticist loads a sample patient, sees the card an EHR would show, narrows the rule's window
 * so the patient no longer qualifies, runs again and sees the card go; or edits the rule's CQL in
 * the page, runs again and sees the card go and the case marked as changed in the rule's case set,
 * and sees where an edit that does not translate is wrong. Skipped (saying so) only
 * where Chromium is not installed; .ci/run installs it, and under CI a missing browser fails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkbenchBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String DVT_CASE = "hook/cramps-with-dvt-signs/fires-recent-cramp-with-leg-swelling-on-examination";

    private static final java.util.logging.Logger SELENIUM_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium");
    private static WebDriver browser;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startBrowser(@TempDir Path profile) {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && System.getenv("CI") != null) {
            throw new IllegalStateException("CI must run the browser test: install chromium and chromium-driver (.ci/run does)");
        }
        Assumptions.assumeTrue(installed, "Chromium is not installed (/usr/bin/chromium, /usr/bin/chromedriver): "
                + "the workbench browser test is skipped; apt-get install chromium chromium-driver to run it");
        // Selenium warns that it has no DevTools (CDP) support for this Chromium; the test does not use CDP.
        SELENIUM_LOG.setLevel(java.util.logging.Level.SEVERE);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void loadACaseSeeItsCardNarrowTheWindowAndTheCardGoes() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + port + "/workbench");
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));

        new Select(browser.findElement(By.id("case"))).selectByValue(DVT_CASE);
        browser.findElement(By.id("load-case")).click();
        WebElement summary = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#cards .card .card-summary")));

        assertThat(summary.getText()).containsIgnoringCase("DVT");
        assertThat(browser.findElement(By.cssSelector("#cards .card")).getAttribute("class")).contains("indicator-");
        assertThat(browser.findElement(By.id("why")).getText()).contains("Fired:").contains("Cramps With Signs Of DVT");

        WebElement window = browser.findElement(By.cssSelector("#parameters [data-parameter='Recent Window'] input[name=value]"));
        assertThat(window.getAttribute("value")).isEqualTo("30");
        window.clear();
        window.sendKeys("0");
        browser.findElement(By.id("run")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("no-cards")));
        assertThat(browser.findElements(By.cssSelector("#cards .card"))).isEmpty();
        assertThat(browser.findElement(By.id("why")).getText()).contains("Did not fire:")
                .contains("Cramps With Signs Of DVT = false");
        assertThat(browser.findElement(By.id("run-status")).getText()).contains("Recent Window");
    }

    @Test
    void editTheRulesCqlTheCardGoesAndTheCaseIsMarkedChanged() {
        WebDriverWait wait = loadTheDvtCaseAndSeeItsCard();
        WebElement editor = browser.findElement(By.id("cql-source"));
        wait.until(ExpectedConditions.attributeContains(editor, "value", "library CrampsWithDvtSigns"));
        assertThat(new Select(browser.findElement(By.id("cql-library"))).getFirstSelectedOption().getText())
                .isEqualTo("CrampsWithDvtSigns");

        editCql(editor, "parameter \"Recent Window\" System.Quantity default 30 days",
                "parameter \"Recent Window\" System.Quantity default 0 days");
        assertThat(browser.findElement(By.id("cql-status")).getText()).contains("Edited, not saved: CrampsWithDvtSigns");
        browser.findElement(By.id("run")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("no-cards")));
        assertThat(browser.findElements(By.cssSelector("#cards .card"))).isEmpty();
        assertThat(browser.findElement(By.id("why")).getText()).contains("Did not fire:")
                .contains("Recent Window").contains("0 days");
        assertThat(browser.findElement(By.id("run-status")).getText()).contains("edited CQL: CrampsWithDvtSigns");

        browser.findElement(By.id("run-cases")).click();
        WebElement changed = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#case-results tr.changed[data-case='fires-recent-cramp-with-leg-swelling-on-examination']")));
        assertThat(changed.getText()).contains("changed").contains("FAIL");
        assertThat(browser.findElement(By.id("case-results")).getText()).contains("with the edited CQL");
    }

    @Test
    void cqlThatDoesNotTranslateShowsLineAndColumnNextToTheEditor() {
        WebDriverWait wait = loadTheDvtCaseAndSeeItsCard();
        WebElement editor = browser.findElement(By.id("cql-source"));
        wait.until(ExpectedConditions.attributeContains(editor, "value", "library CrampsWithDvtSigns"));
        String saved = editor.getAttribute("value");
        int line = saved.substring(0, saved.indexOf("define \"Window\":")).split("\n", -1).length;

        editCql(editor, "define \"Window\":", "define \"Window\" :: ");
        browser.findElement(By.id("run")).click();

        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#cql-errors li")));
        assertThat(error.getText()).startsWith("CrampsWithDvtSigns line " + line + ":");
        assertThat(browser.findElement(By.id("cql-status")).getText()).contains("does not translate");
    }

    private WebDriverWait loadTheDvtCaseAndSeeItsCard() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + port + "/workbench");
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
        new Select(browser.findElement(By.id("case"))).selectByValue(DVT_CASE);
        browser.findElement(By.id("load-case")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#cards .card .card-summary")));
        return wait;
    }

    /** Replaces text in the editor as typing would: the page hears an input event. */
    private static void editCql(WebElement editor, String from, String to) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[0].value.replace(arguments[1], arguments[2]);"
                + " arguments[0].dispatchEvent(new Event('input', { bubbles: true }));", editor, from, to);
    }
}
