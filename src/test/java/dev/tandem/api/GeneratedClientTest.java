package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.tandem.client.ApiClient;
import dev.tandem.client.ApiException;
import dev.tandem.client.api.ConsentApi;
import dev.tandem.client.api.ContactsApi;
import dev.tandem.client.api.InboundApi;
import dev.tandem.client.api.MessagesApi;
import dev.tandem.client.api.WebhooksApi;
import dev.tandem.client.model.ChangeConsentRequest;
import dev.tandem.client.model.Contact;
import dev.tandem.client.model.Delivery;
import dev.tandem.client.model.Message;
import dev.tandem.client.model.MessageRequest;
import dev.tandem.client.model.MessageRequestEmail;
import dev.tandem.client.model.MessageRequestSms;
import dev.tandem.client.model.NewContact;
import dev.tandem.client.model.WebhookRequest;
import dev.tandem.support.TestApp;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client generated from openapi.json (openapi-generator, Java, at build time) used against a live
 * server for the main flows. Its JSON reader refuses unknown properties: every field Tandem answers
 * must be in the document, and every enum value it answers must be one the document lists.
 */
class GeneratedClientTest {
  private TestApp tandem;
  private ApiClient client;

  @BeforeEach
  void start() {
    tandem = TestApp.start();
    client = new ApiClient();
    client.updateBaseUri(tandem.app.url());
    client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + TestApp.API_KEY));
    client.setObjectMapper(
        client.getObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
  }

  @AfterEach
  void stop() {
    tandem.close();
  }

  @Test
  void contacts_consent_sending_status_and_lists_through_the_generated_client() throws Exception {
    var contacts = new ContactsApi(client);
    var consent = new ConsentApi(client);
    var messages = new MessagesApi(client);

    Contact ada =
        contacts.createContact(
            new NewContact()
                .phone(TestApp.uniquePhone())
                .email(TestApp.uniqueEmail())
                .name("Ada Lovelace")
                .timeZone("Europe/London")); // 10:00 there: no quiet hours for the news
    assertThat(contacts.getContact(ada.getId()).getName()).isEqualTo("Ada Lovelace");
    assertThat(contacts.listContacts(ada.getPhone(), null, null, null).getItems())
        .extracting(Contact::getId)
        .containsExactly(ada.getId());

    var recorded =
        consent.changeConsent(
            ada.getId(),
            new ChangeConsentRequest()
                .channel(ChangeConsentRequest.ChannelEnum.SMS)
                .topic("news")
                .action(ChangeConsentRequest.ActionEnum.GRANT)
                .wording("Yes, text me news"));
    assertThat(recorded.getEventIds()).hasSize(1);
    assertThat(consent.getConsents(ada.getId()).getEffective())
        .anySatisfy(d -> {
          assertThat(d.getChannel()).isEqualTo("sms");
          assertThat(d.getTopic()).isEqualTo("news");
          assertThat(d.getAllowed()).isTrue();
        });

    Message sent =
        messages.sendMessage(
            new MessageRequest()
                .contactId(ada.getId())
                .channels(
                    List.of(MessageRequest.ChannelsEnum.SMS, MessageRequest.ChannelsEnum.EMAIL))
                .topic("news")
                .sms(new MessageRequestSms().text("Spring sale this weekend"))
                .email(new MessageRequestEmail().subject("Spring sale").text("20% off")),
            "client-test-1",
            null);
    assertThat(sent.getDeliveries()).hasSize(2);
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(sent.getId().toString(), "sms", "delivered");
    assertThat(messages.getMessage(sent.getId()).getDeliveries())
        .anySatisfy(d -> {
          assertThat(d.getChannel()).isEqualTo(Delivery.ChannelEnum.SMS);
          assertThat(d.getStatus()).isEqualTo(Delivery.StatusEnum.DELIVERED);
          assertThat(d.getSegments()).isEqualTo(1);
        });

    var page = messages.listMessages(ada.getId(), null, null, null, null, null, 10, null);
    assertThat(page.getItems()).extracting(Message::getId).containsExactly(sent.getId());
    assertThat(page.getNext()).isNull();
    var timeline = contacts.getTimeline(ada.getId(), 2, null);
    assertThat(timeline.getItems()).hasSize(2);
    assertThat(contacts.getTimeline(ada.getId(), 2, timeline.getNext()).getItems()).isNotEmpty();
    assertThat(new InboundApi(client).listInbound(null, null, null, null).getItems()).isEmpty();
    assertThat(consent.listSuppressions(null, null, null, null).getItems()).isEmpty();
  }

  @Test
  void webhooks_and_problems_through_the_generated_client() {
    var webhooks = new WebhooksApi(client);
    try {
      var created =
          webhooks.createWebhook(
              new WebhookRequest()
                  .url(URI.create("https://crm.example/hooks/tandem"))
                  .events(List.of("delivery.*", "sms.received")));
      assertThat(created.getSecret()).startsWith("whsec_");
      assertThat(webhooks.listWebhooks().getItems()).hasSize(1);
      assertThat(webhooks.getWebhook(created.getId()).getEnabled()).isTrue();
    } catch (ApiException e) {
      throw new AssertionError(e.getCode() + " " + e.getResponseBody(), e);
    }

    assertThatThrownBy(() -> new ContactsApi(client).getContact(UUID.randomUUID()))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(404);
              assertThat(e.getResponseBody()).contains("\"code\":\"contact-not-found\"");
            });
  }
}
