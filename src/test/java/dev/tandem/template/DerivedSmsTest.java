package dev.tandem.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sms.SmsEncoding;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SMS derived from an email: what it takes, what it skips, how it fits the budget. */
class DerivedSmsTest {
  static final String SHORT = "https://t.example/s/AbCdEfG123";

  static DerivedSms.Result derive(String subject, String html, int budget) {
    return DerivedSms.derive(subject, html, null, url -> SHORT, budget, true);
  }

  @Test
  void subject_first_paragraph_and_the_main_link_joined_by_a_colon() {
    var r =
        derive(
            "Your order 1042 has shipped",
            "<p>It arrives Thursday.</p><p><a href=\"https://shop.example/t/1042\">Track it</a></p>",
            1);
    assertThat(r.text()).isEqualTo("Your order 1042 has shipped: It arrives Thursday. " + SHORT);
    assertThat(r.mainLink()).contains("https://shop.example/t/1042");
    assertThat(r.shortened()).isFalse();
  }

  @Test
  void a_subject_ending_in_punctuation_is_joined_by_a_space() {
    assertThat(derive("Shipped!", "<p>It arrives on Thursday.</p>", 1).text())
        .isEqualTo("Shipped! It arrives on Thursday.");
  }

  @Test
  void the_hidden_preheader_the_greeting_and_the_view_in_browser_line_are_skipped() {
    var r =
        derive(
            "Order 1042",
            "<div style=\"display:none;max-height:0\">Big savings inside!</div>"
                + "<p><a href=\"https://shop.example/web\">View this email in your browser</a></p>"
                + "<p>Hi Ada,</p><p>Your parcel left our warehouse this morning.</p>",
            1);
    assertThat(r.text()).isEqualTo("Order 1042: Your parcel left our warehouse this morning.");
    assertThat(r.mainLink()).isEmpty();
  }

  @Test
  void a_button_is_preferred_to_an_earlier_link_and_unsubscribe_is_never_chosen() {
    var r =
        derive(
            "Reset your password",
            "<p><a href=\"https://x.example/unsubscribe?u=1\">Unsubscribe</a>"
                + " <a href=\"https://x.example/help\">Help center</a></p>"
                + "<p>Someone asked to reset the password of your account.</p>"
                + "<table><tr><td bgcolor=\"#0a7\"><a href=\"https://x.example/reset?t=abc\">Reset"
                + " password</a></td></tr></table>",
            1);
    assertThat(r.mainLink()).contains("https://x.example/reset?t=abc");
    assertThat(r.text()).endsWith(SHORT).doesNotContain("Reset password " + SHORT);
  }

  @Test
  void a_logo_link_and_social_links_are_not_the_main_link() {
    var r =
        derive(
            "News",
            "<a href=\"https://shop.example/\"><img src=\"logo.png\" alt=\"Acme\"></a>"
                + "<p>Spring is here and so are the new arrivals for the season.</p>"
                + "<a href=\"https://facebook.com/acme\">Facebook</a>"
                + "<a href=\"https://shop.example/spring\">See what is new</a>",
            1);
    assertThat(r.mainLink()).contains("https://shop.example/spring");
  }

  @Test
  void over_budget_the_paragraph_is_cut_at_a_word_with_three_dots_and_the_link_kept_whole() {
    String paragraph =
        "Your parcel left our warehouse this morning and is now with the carrier, who will bring"
            + " it to your door between nine and twelve on Thursday, or leave it with a neighbour.";
    var r =
        derive(
            "Order 1042 has shipped",
            "<p>" + paragraph + "</p><a class=\"btn\" href=\"https://x.example/t\">Track</a>",
            1);
    assertThat(r.sms().segments()).isEqualTo(1);
    assertThat(r.text()).startsWith("Order 1042 has shipped: Your parcel").endsWith("... " + SHORT);
    String kept = r.text().substring(0, r.text().indexOf("..."));
    assertThat(paragraph).contains(kept.substring("Order 1042 has shipped: ".length()));
    assertThat(paragraph.charAt(kept.length() - "Order 1042 has shipped: ".length()))
        .as("cut before a space, never inside a word")
        .isIn(' ', ',');
    assertThat(r.shortened()).isTrue();
    assertThat(derive("Order 1042 has shipped", "<p>" + paragraph + "</p>", 2).text())
        .contains("leave it with a neighbour.");
  }

  @Test
  void when_only_subject_and_link_fit_the_paragraph_goes_and_then_the_subject_is_cut() {
    String longSubject = "word ".repeat(40).strip();
    var r =
        derive(
            longSubject,
            "<p>" + "more ".repeat(30) + "</p><a href=\"https://x.example/a\">Go there now</a>",
            1);
    assertThat(r.sms().segments()).isEqualTo(1);
    assertThat(r.text()).startsWith("word word").endsWith("... " + SHORT);
  }

  @Test
  void a_link_too_long_for_the_budget_is_sent_alone_rather_than_cut() {
    String huge = "https://t.example/s/" + "x".repeat(200);
    var r =
        DerivedSms.derive(
            "Hello", "<a href=\"https://a.example/\">Open it</a>", null, url -> huge, 1, true);
    assertThat(r.text()).isEqualTo(huge);
  }

  @Test
  void gsm_escape_characters_count_two_septets_when_fitting() {
    // 150 euro signs are 300 septets: two segments of GSM-7, not one
    String euros = "€ ".repeat(75).strip();
    var r = derive("Prices", "<p>" + euros + "</p>", 1);
    assertThat(r.sms().encoding()).isEqualTo(SmsEncoding.GSM7);
    assertThat(r.sms().units()).isLessThanOrEqualTo(160);
    assertThat(r.text()).endsWith("...");
  }

  @Test
  void text_that_forces_ucs2_is_fitted_to_ucs2_segments_without_splitting_an_emoji() {
    String emoji = "\uD83D\uDE9A";
    String paragraph = (emoji + " ").repeat(60).strip();
    var r = derive("Lieferung", "<p>" + paragraph + "</p>", 1);
    assertThat(r.sms().encoding()).isEqualTo(SmsEncoding.UCS2);
    assertThat(r.sms().segments()).isEqualTo(1);
    assertThat(r.text().chars().filter(c -> Character.isHighSurrogate((char) c)).count())
        .isEqualTo(r.text().chars().filter(c -> Character.isLowSurrogate((char) c)).count());
  }

  @Test
  void japanese_without_spaces_ends_at_a_sentence_or_is_cut_between_characters() {
    String paragraph = "ご注文の商品は本日発送されました。木曜日にお届け予定です。".repeat(5);
    var r = derive("発送のお知らせ", "<p>山田様</p><p>" + paragraph + "</p>", 1);
    assertThat(r.text()).startsWith("発送のお知らせ: ご注文の商品は").endsWith("予定です。");
    assertThat(r.sms().segments()).isEqualTo(1);
    String oneSentence = "ご注文いただいた商品を本日発送いたしましたので".repeat(4) + "。";
    var cut = derive("発送のお知らせ", "<p>" + oneSentence + "</p>", 1);
    assertThat(cut.text()).startsWith("発送のお知らせ: ご注文いただいた").endsWith("...");
    assertThat(cut.sms().segments()).isEqualTo(1);
  }

  @Test
  void a_whole_sentence_is_kept_rather_than_more_words_cut_off_and_dr_is_not_a_sentence_end() {
    var r =
        derive(
            "The Acme Journal",
            "<p>Winter is here, and with it our favourite season for slow mornings and long"
                + " walks. This issue brings five warm drinks to try, how we test kettles, and a"
                + " look inside our new roastery in the old mill.</p>",
            1);
    assertThat(r.text())
        .isEqualTo(
            "The Acme Journal: Winter is here, and with it our favourite season for slow mornings"
                + " and long walks.");
    var doctor =
        derive(
            "Reminder",
            "<p>Your appointment with Dr. Lee at Springfield Clinic is tomorrow, Friday 11"
                + " December, at 10:30; please arrive ten minutes early and bring your card and"
                + " the forms we sent.</p>",
            1);
    assertThat(doctor.text()).doesNotEndWith("Dr.").endsWith("...");
  }

  @Test
  void a_text_only_email_gives_its_first_paragraph_and_link() {
    var r =
        DerivedSms.derive(
            "Appointment reminder",
            null,
            "Hi Ada,\nYour appointment with Dr. Lee is tomorrow at 10:30.\n\nReschedule:"
                + " https://clinic.example/r/77\n\nUnsubscribe: https://clinic.example/u/1",
            url -> SHORT,
            1,
            true);
    assertThat(r.text())
        .isEqualTo(
            "Appointment reminder: Your appointment with Dr. Lee is tomorrow at 10:30. " + SHORT);
    assertThat(r.mainLink()).contains("https://clinic.example/r/77");
  }

  @Test
  void a_table_of_order_lines_does_not_smear_cells_into_the_first_paragraph() {
    var r =
        derive(
            "Order confirmed",
            "<table><tr><td>Blue kettle</td><td>1</td><td>$39.00</td></tr></table>"
                + "<p>Thank you for your order; we will email you when it ships.</p>",
            1);
    assertThat(r.text())
        .isEqualTo("Order confirmed: Thank you for your order; we will email you when it ships.");
  }

  @Test
  void a_cut_that_would_keep_only_a_word_or_two_drops_the_paragraph_instead() {
    // UCS-2 (í): 70 units, the link takes 31 of them; "Boa..." would say nothing
    var r =
        derive(
            "Seu pedido 1042 foi enviado",
            "<p>Boa notícia: o pedido 1042 saiu do nosso depósito hoje e deve chegar na quinta.</p>"
                + "<a class=\"button\" href=\"https://loja.example/r\">Rastrear</a>",
            1);
    assertThat(r.text()).isEqualTo("Seu pedido 1042 foi enviado " + SHORT);
  }

  @Test
  void no_link_and_no_paragraph_is_the_subject_alone() {
    assertThat(derive("Your code is 123456", "<p></p>", 1).text()).isEqualTo("Your code is 123456");
    assertThat(derive("Your code is 123456", "<p></p>", 1).link()).isEqualTo(Optional.empty());
  }
}
