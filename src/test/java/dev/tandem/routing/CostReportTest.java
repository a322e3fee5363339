package dev.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cost per message recorded at accept, reported by topic, channel and country over the API. */
class CostReportTest {
  static String report(TestApp tandem, String query) {
    return "/v1/reports/cost?" + query;
  }

  @Test
  void an_sms_is_priced_for_the_sender_it_names() throws Exception {
    Path prices = Files.createTempFile("prices", ".yaml");
    Files.writeString(
        prices,
        """
        currency: EUR
        prices:
          - prefix: "+44"
            sender: alphanumeric
            perSegment: "0.0500"
          - prefix: "+44"
            perSegment: "0.0300"
        """);
    try (TestApp tandem =
        TestApp.start(
            Map.of("sms.priceTable", prices.toString(), "sms.senders", "Shop,+447700900123"))) {
      var costs = new java.util.ArrayList<String>();
      for (String from : List.of("Shop", "+447700900123")) {
        String id =
            tandem.send(
                Map.of(
                    "to",
                    Map.of("phone", "+4479111234" + (from.equals("Shop") ? "56" : "57")),
                    "channels",
                    List.of("sms"),
                    "sms",
                    Map.of("text", "Your parcel is on its way", "from", from)));
        costs.add(tandem.delivery(id, "sms").get("cost").asText());
      }
      assertThat(costs).containsExactly("0.05", "0.03");
    } finally {
      Files.deleteIfExists(prices);
    }
  }

  @Test
  void costs_are_reported_by_channel_country_and_topic_and_bad_parameters_are_named()
      throws Exception {
    Path prices = Files.createTempFile("prices", ".yaml");
    Files.writeString(
        prices,
        """
        currency: USD
        prices:
          - prefix: "+44"
            perSegment: "0.0400"
          - prefix: "+1"
            perSegment: "0.0079"
        """);
    try (TestApp tandem =
        TestApp.start(
            Map.of("sms.priceTable", prices.toString(), "routing.emailCost", "0.0004 USD"))) {
      String from = tandem.clock.instant().minusSeconds(1).toString();
      for (String phone : List.of("+447911123456", "+12125550188", "+12125550189")) {
        tandem.send(
            Map.of(
                "to", Map.of("phone", phone),
                "channels", List.of("sms"),
                "sms", Map.of("text", "Your code is 1234")));
      }
      tandem.send(
          Map.of(
              "to", Map.of("email", TestApp.uniqueEmail()),
              "topic", "alerts",
              "channels", List.of("email"),
              "email", Map.of("subject", "Hi", "text", "x")));
      tandem.app.dispatcher.drain();
      tandem.clock.advance(Duration.ofMinutes(1));
      String to = tandem.clock.instant().toString();

      JsonNode byChannel =
          tandem.call("GET", report(tandem, "from=" + from + "&to=" + to), null).body();
      assertThat(byChannel.get("groupBy").asText()).isEqualTo("channel");
      assertThat(byChannel.get("items").toString())
          .contains(
              "{\"key\":\"email\",\"currency\":\"USD\",\"deliveries\":1,\"segments\":0,\"cost\":\"0.0004\"}")
          .contains(
              "{\"key\":\"sms\",\"currency\":\"USD\",\"deliveries\":3,\"segments\":3,\"cost\":\"0.0558\"}");
      assertThat(byChannel.get("total").get("cost").get("USD").asText()).isEqualTo("0.0562");

      JsonNode byCountry =
          tandem
              .call("GET", report(tandem, "from=" + from + "&to=" + to + "&groupBy=country"), null)
              .body();
      assertThat(byCountry.get("items").findValuesAsText("key"))
          .containsExactly("-", "GG", "US"); // +447911 numbers are Guernsey's
      JsonNode byTopic =
          tandem
              .call("GET", report(tandem, "from=" + from + "&to=" + to + "&groupBy=topic"), null)
              .body();
      assertThat(byTopic.get("items").findValuesAsText("key")).containsExactly("account", "alerts");

      for (var bad :
          Map.of(
                  "from=yesterday&to=" + to,
                  "from",
                  "to=" + to,
                  "from",
                  "from=" + to + "&to=" + from,
                  "to",
                  "from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                  "to",
                  "from=" + from + "&to=" + to + "&groupBy=planet",
                  "groupBy")
              .entrySet()) {
        var response = tandem.call("GET", report(tandem, bad.getKey()), null);
        assertThat(response.status()).as(bad.getKey()).isEqualTo(422);
        assertThat(response.body().get("field").asText())
            .as(bad.getKey())
            .isEqualTo(bad.getValue());
      }
    }
  }

  @Test
  void a_bad_email_cost_or_zone_stops_start_up_naming_the_key() {
    for (var bad :
        List.of(
            Map.of("routing.emailCost", "cheap"),
            Map.of("routing.defaultZone", "Mars/Base"),
            Map.of("db.poolSize", "1"))) {
      try (TestApp tandem = TestApp.start(bad)) {
        throw new AssertionError("started with " + bad);
      } catch (dev.tandem.config.ConfigException e) {
        assertThat(e.getMessage()).contains(bad.keySet().iterator().next()).contains("Fix:");
      }
    }
  }
}
