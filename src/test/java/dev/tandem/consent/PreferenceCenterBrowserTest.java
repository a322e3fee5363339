package dev.tandem.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The public pages as a person uses them, in headless Debian Chromium: the preference center and
 * the email double opt-in confirmation. No JavaScript is needed (it is switched off).
 */
class PreferenceCenterBrowserTest {
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static TestApp tandem;
  private static WebDriver browser;

  @BeforeAll
  static void start() {
    assumeTrue(
        CHROMEDRIVER.canExecute(),
        "needs Debian chromium and chromium-driver (apt-get install chromium chromium-driver;"
            + " .ci/run installs them)");
    tandem = TestApp.start();
    var options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
    options.addArguments("--blink-settings=scriptEnabled=false");
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(), options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (tandem != null) {
      tandem.close();
    }
  }

  private static String link(String contactId) {
    var response = tandem.call("POST", "/v1/contacts/" + contactId + "/preference-link", null);
    assertThat(response.status()).isEqualTo(201);
    return response.body().get("url").asText();
  }

  private static WebElement box(String channel, String topic) {
    return browser.findElement(By.id("c-" + channel + "-" + topic));
  }

  /** Waits for the page after a form post to show this status line. */
  private static void awaitStatus(String text) {
    new WebDriverWait(browser, Duration.ofSeconds(10))
        // the page is being replaced while we look: stale or vanished nodes, try again
        .ignoring(org.openqa.selenium.WebDriverException.class)
        .until(d ->
            d.findElements(By.cssSelector("[role=status]")).stream()
                .anyMatch(e -> e.getText().equals(text)));
  }

  private static JsonNode history(String contactId) {
    return tandem
        .call("GET", "/v1/contacts/" + contactId + "/consents", null)
        .body()
        .get("history");
  }

  @Test
  void a_person_sees_both_channels_and_every_topic_and_each_change_is_recorded() {
    String id =
        tandem
            .createContact(
                Map.of(
                    "phone", TestApp.uniquePhone(), "email", TestApp.uniqueEmail(), "name", "Ada"))
            .get("id")
            .asText();
    tandem.grant(id, "email", "news", "Newsletter box");

    browser.get(link(id));

    assertThat(browser.getTitle()).isEqualTo("Your message preferences");
    assertThat(browser.findElement(By.cssSelector("button[type=submit]")).getCssValue("color"))
        .as("the style sheet is allowed by the Content-Security-Policy")
        .isEqualTo("rgba(255, 255, 255, 1)");
    assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("en");
    // text messages, email, and how to send each topic routed by preference
    assertThat(browser.findElements(By.cssSelector("form > fieldset"))).hasSize(3);
    for (String channel : List.of("sms", "email")) {
      for (String topic : List.of("alerts", "account", "news")) {
        WebElement box = box(channel, topic);
        assertThat(
                browser.findElements(By.cssSelector("label[for='" + box.getAttribute("id") + "']")))
            .as("every choice has a label")
            .hasSize(1);
      }
    }
    assertThat(box("email", "news").isSelected()).isTrue();
    assertThat(box("sms", "news").isSelected()).as("marketing needs an opt-in").isFalse();
    assertThat(box("sms", "account").isSelected()).isTrue();

    assertThat(browser.findElement(By.id("p-account-none")).isSelected()).isTrue();
    assertThat(browser.findElements(By.cssSelector("label[for='p-account-email']"))).hasSize(1);
    box("sms", "news").click();
    box("email", "account").click();
    browser.findElement(By.id("p-news-sms")).click();
    browser.findElement(By.cssSelector("button[type=submit]")).click();

    awaitStatus("Saved. 3 choices updated.");
    assertThat(browser.findElement(By.id("p-news-sms")).isSelected()).isTrue();
    assertThat(tandem.app.preferences.of(java.util.UUID.fromString(id)))
        .isEqualTo(Map.of("news", dev.tandem.channel.Channel.SMS));
    assertThat(box("sms", "news").isSelected()).isTrue();
    assertThat(box("email", "account").isSelected()).isFalse();
    JsonNode events = history(id);
    assertThat(events).hasSize(3);
    for (JsonNode event : List.of(events.get(1), events.get(2))) {
      assertThat(event.get("source").asText()).isEqualTo("preference-center");
      assertThat(event.get("evidence").get("ip").asText()).isEqualTo("127.0.0.1");
      assertThat(event.get("evidence").get("userAgent").asText()).contains("Chrome");
    }
    assertThat(events.findValuesAsText("wording"))
        .contains(
            "Ticked \"News and offers\" under Text messages and saved",
            "Unticked \"Receipts and account updates\" under Email and saved");

    browser.findElement(By.cssSelector("button[type=submit]")).click();
    awaitStatus("Nothing changed.");
    assertThat(history(id)).hasSize(3);
  }

  @Test
  void a_forged_or_expired_link_gets_a_403_page_that_says_what_to_do() {
    String id = tandem.aContact().get("id").asText();
    String url = link(id);

    browser.get(url.substring(0, url.length() - 2) + "xx");
    assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText()).contains("not valid");
    var forged =
        tandem.call(
            "GET", url.substring(tandem.app.url().length(), url.length() - 2) + "xx", null, null);
    assertThat(forged.status()).isEqualTo(403);

    tandem.clock.advance(Duration.ofDays(31));
    browser.get(url);
    assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
        .contains("expired")
        .contains("reply STOP");
    var expired = tandem.call("GET", url.substring(tandem.app.url().length()), null, null);
    assertThat(expired.status()).isEqualTo(403);
    var post =
        tandem.call(
            "POST",
            url.substring(tandem.app.url().length()),
            "shown=sms%3Anews&on=sms%3Anews",
            null);
    assertThat(post.status()).isEqualTo(403);
    assertThat(history(id)).isEmpty();
  }

  @Test
  void email_double_opt_in_is_confirmed_by_the_button_behind_the_link() {
    String email = TestApp.uniqueEmail();
    String id = tandem.createContact(Map.of("email", email)).get("id").asText();
    var pending =
        tandem.call(
            "POST",
            "/v1/contacts/" + id + "/double-opt-in",
            Map.of("channel", "email", "topic", "news"));
    assertThat(pending.status()).isEqualTo(202);
    tandem.app.dispatcher.drain();
    String raw =
        tandem.app.sandboxSmtp.orElseThrow().received().stream()
            .filter(e -> e.envelopeTo().contains(email))
            .findFirst()
            .orElseThrow()
            .raw();
    Matcher link =
        Pattern.compile("(http://[^\\s\"<]+/confirm/[A-Za-z0-9_.-]+)")
            .matcher(raw.replace("=\r\n", ""));
    assertThat(link.find()).as(raw).isTrue();

    browser.get(link.group(1));
    assertThat(history(id))
        .as("opening the link confirms nothing (mail scanners open links)")
        .isEmpty();
    browser.findElement(By.cssSelector("button[type=submit]")).click();

    awaitStatus("Thank you: you are subscribed to News and offers by email.");
    JsonNode event = history(id).get(0);
    assertThat(event.get("source").asText()).isEqualTo("double-opt-in");
    assertThat(event.get("topic").asText()).isEqualTo("news");
    assertThat(event.get("evidence").get("userAgent").asText()).contains("Chrome");
    assertThat(event.get("evidence").get("pendingId").asText())
        .isEqualTo(pending.body().get("id").asText());
  }

  @Test
  void a_script_in_an_email_does_not_run_in_its_hosted_copy() {
    String address = TestApp.uniqueEmail();
    String id =
        tandem.sendEmail(
            address,
            Map.of(
                "subject",
                "Scripted",
                "html",
                "<p id=\"said\">as sent</p>"
                    + "<script>document.getElementById('said').textContent='script ran'</script>"));
    String viewUrl = tandem.delivery(id, "email").get("viewUrl").asText();
    var options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
    WebDriver scripting =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(), options);
    try {
      scripting.get(viewUrl);
      assertThat(scripting.findElement(By.id("said")).getText()).isEqualTo("as sent");
    } finally {
      scripting.quit();
    }
  }
}
