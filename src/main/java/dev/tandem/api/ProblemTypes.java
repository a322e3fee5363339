package dev.tandem.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Every problem code the API can answer, with what it means and how to fix it: the pages behind
 * each problem's {@code type} ({@code /problems/CODE}). ProblemTypesTest scans the main sources and
 * fails when a code can be thrown that has no entry here, or an entry names a code nothing throws.
 */
final class ProblemTypes {
  /** One problem code: the statuses it comes with (almost always one), a title, meaning and fix. */
  record ProblemType(
      String code, List<Integer> statuses, String title, String meaning, String fix) {
    Map<String, Object> toJson(String base) {
      var json = new LinkedHashMap<String, Object>();
      json.put("code", code);
      json.put("type", base + "/problems/" + code);
      json.put("title", title);
      json.put("statuses", statuses);
      json.put("meaning", meaning);
      json.put("fix", fix);
      return json;
    }
  }

  /** Jetty's and Javalin's own refusals with no entry of their own: {@code http-NNN}. */
  private static final Pattern HTTP_STATUS = Pattern.compile("http-([45]\\d\\d)");

  private static final Map<String, ProblemType> TYPES = new LinkedHashMap<>();

  private ProblemTypes() {}

  static List<ProblemType> all() {
    return List.copyOf(TYPES.values());
  }

  static Optional<ProblemType> find(String code) {
    ProblemType type = TYPES.get(code);
    if (type != null) {
      return Optional.of(type);
    }
    var http = HTTP_STATUS.matcher(code);
    if (http.matches()) {
      int status = Integer.parseInt(http.group(1));
      String reason = HttpStatus.getMessage(status);
      if (reason != null && !reason.isBlank() && !String.valueOf(status).equals(reason)) {
        return Optional.of(
            new ProblemType(
                code,
                List.of(status),
                reason,
                "The HTTP server refused the request with status "
                    + status
                    + " ("
                    + reason
                    + ") before Tandem read it; the detail says why.",
                "Correct the request as the detail says and send it again."));
      }
    }
    return Optional.empty();
  }

  private static void type(String code, int status, String title, String meaning, String fix) {
    types(code, List.of(status), title, meaning, fix);
  }

  private static void types(
      String code, List<Integer> statuses, String title, String meaning, String fix) {
    if (TYPES.put(code, new ProblemType(code, statuses, title, meaning, fix)) != null) {
      throw new IllegalStateException("problem code " + code + " is listed twice");
    }
  }

  static {
    // Requests the HTTP layer refuses.
    type(
        "malformed-request",
        400,
        "Malformed request",
        "The body is not the JSON the route reads: not JSON at all, invalid UTF-8, a field of the"
            + " wrong type, a field the route does not know, a key given twice, or nesting deeper"
            + " than 32 levels.",
        "Send one JSON object with the fields the route documents (see /docs/api); the problem's"
            + " field names the one at fault.");
    type(
        "unauthorized",
        401,
        "Unauthorized",
        "A /v1 route was called without an API key, with a header that is not 'Bearer KEY', or with"
            + " a key that is unknown, revoked or expired.",
        "Send 'Authorization: Bearer KEY' with a live key; create one with ./tandem apikey create"
            + " --name NAME.");
    type(
        "forbidden",
        403,
        "Forbidden",
        "The caller is known but may not make this request: the API key lacks the scope the route"
            + " needs, or a provider webhook's signature does not verify.",
        "Use a key with the scope the detail names (keys:manage for /v1/apikeys, api for the"
            + " rest), or check the provider's auth token in the configuration.");
    type(
        "no-such-route",
        404,
        "No such route",
        "No route has this path.",
        "Check the path against /openapi.json or /docs/api; ids are part of the path, methods are"
            + " not.");
    type(
        "method-not-allowed",
        405,
        "Method not allowed",
        "The path exists but not with this HTTP method.",
        "Use one of the methods /openapi.json lists for the path.");
    type(
        "body-too-large",
        413,
        "Request body too large",
        "The body is larger than the route accepts (1 MB for JSON routes).",
        "Send less per request: split a batch, or link to large files instead of attaching them.");
    type(
        "unsupported-media-type",
        415,
        "Unsupported media type",
        "The body's Content-Type is not one the route reads, or its charset is not utf-8.",
        "Send Content-Type: application/json (with no charset, or charset=utf-8); imports take"
            + " text/csv.");
    type(
        "http-400",
        400,
        "Unreadable HTTP request",
        "The HTTP server could not parse the request line or headers, so Tandem never saw it.",
        "Send a well-formed HTTP/1.1 or HTTP/2 request; the detail gives the server's reason.");
    type(
        "http-414",
        414,
        "URI too long",
        "The request's path and query are longer than the server reads.",
        "Move long values into a JSON body, or ask for less per request.");
    type(
        "http-431",
        431,
        "Request headers too large",
        "The request's headers together are larger than the server reads.",
        "Send fewer or shorter headers (large cookies are the usual cause).");
    type(
        "http-505",
        505,
        "HTTP version not supported",
        "The request named an HTTP version the server does not speak.",
        "Use HTTP/1.1 or HTTP/2.");
    type(
        "problem-not-found",
        404,
        "Problem not found",
        "GET /problems/{code} was asked for a code the API never answers.",
        "Use a code from GET /problems, or the type of a problem exactly as it came.");
    type(
        "internal-error",
        500,
        "Internal error",
        "Tandem failed while handling a valid-looking request. The answer carries a reference;"
            + " the server log has the cause under it.",
        "Retry once; if it persists, give the reference from the detail to the operator, who finds"
            + " the stack trace in the log.");
    type(
        "nul-character",
        422,
        "NUL character",
        "A string in the body, or a path or query parameter, contains U+0000 (%00), which"
            + " PostgreSQL cannot store.",
        "Remove the NUL character from the field or parameter the problem names.");
    type(
        "not-found",
        404,
        "Not an id",
        "A path parameter that should be an id Tandem issued is not a UUID, so nothing can have it.",
        "Use the id exactly as Tandem returned it.");
    type(
        "invalid-id",
        422,
        "Invalid id",
        "A body field that should be an id Tandem issued is not a UUID.",
        "Use the id exactly as Tandem returned it.");
    type(
        "invalid-limit",
        422,
        "Invalid limit",
        "The limit query parameter is not a whole number from 1 to 1000.",
        "Give limit from 1 to 1000, or leave it out for the default.");
    type(
        "invalid-cursor",
        422,
        "Invalid cursor",
        "The after parameter is not a cursor from this list or feed.",
        "Pass the 'next' value of the previous page unchanged, or nothing to start at the"
            + " beginning.");
    type(
        "invalid-time",
        422,
        "Invalid time",
        "A time field is not an ISO-8601 instant.",
        "Write it like 2026-01-31T10:00:00Z (with a Z or an offset).");
    type(
        "future-time",
        422,
        "Time in the future",
        "A consent change is dated in the future; the ledger records what happened, not what will.",
        "Give the time the person actually agreed or objected, or leave at out for now.");
    type(
        "invalid-dry-run",
        422,
        "Invalid dryRun",
        "dryRun is neither true nor false.",
        "Send dryRun as true or false (or leave it out).");

    // Contacts.
    type(
        "invalid-phone",
        422,
        "Invalid phone number",
        "The value is not a phone number Tandem can put in international (E.164) form.",
        "Write it as +CC and the number (+14155550123), or as a number of the configured default"
            + " region.");
    type(
        "invalid-email",
        422,
        "Invalid email address",
        "The value is not an email address.",
        "Write it as name@example.com.");
    type(
        "invalid-time-zone",
        422,
        "Invalid time zone",
        "The time zone is not one the IANA database knows.",
        "Use an IANA name such as Europe/Paris or America/New_York.");
    type(
        "invalid-locale",
        422,
        "Invalid locale",
        "The value is not a BCP 47 language tag.",
        "Use a tag such as en, pt-BR or zh-Hant-TW.");
    type(
        "empty-contact",
        422,
        "Empty contact",
        "A contact was created with nothing that identifies a person.",
        "Give at least one of phone, email, name or externalId.");
    type(
        "too-long",
        422,
        "Value too long",
        "A text field is longer than Tandem keeps (the detail names the field and its limit).",
        "Shorten the value to the limit the detail gives.");
    type(
        "phone-taken",
        409,
        "Phone number belongs to another contact",
        "The phone number is already an address of another contact; one address belongs to one"
            + " person.",
        "If they are one person, merge the two contacts (POST /v1/contacts/merge); otherwise use"
            + " the other contact.");
    type(
        "email-taken",
        409,
        "Email address belongs to another contact",
        "The email address is already an address of another contact; one address belongs to one"
            + " person.",
        "If they are one person, merge the two contacts (POST /v1/contacts/merge); otherwise use"
            + " the other contact.");
    type(
        "external-id-taken",
        409,
        "External id belongs to another contact",
        "Another contact already has this externalId.",
        "Update that contact instead, or give this one its own externalId.");
    type(
        "one-address",
        422,
        "One address at a time",
        "Adding an address needs exactly one of phone or email.",
        "Send {\"phone\": …} or {\"email\": …}, not both and not neither.");
    type(
        "two-lookups",
        422,
        "Two lookups",
        "GET /v1/contacts was asked by phone and by email at once.",
        "Look a contact up by one address: ?phone=… or ?email=…, or neither to list them all.");
    type(
        "contact-not-found",
        404,
        "Contact not found",
        "No contact has this id.",
        "Use an id from POST /v1/contacts or GET /v1/contacts.");
    type(
        "contact-erased",
        404,
        "Contact erased",
        "The contact was erased at the person's request; only the fact of the erasure remains.",
        "Nothing to fix: the person is gone. Create a new contact only if they come back.");
    type(
        "contact-gone",
        409,
        "Contact merged or erased",
        "A merge named a contact that was already merged into another or erased.",
        "Merge the contact that holds the record now (GET /v1/contacts/{id}/merges shows it).");
    type(
        "missing-contact",
        422,
        "Merge needs two contacts",
        "A merge did not name both contacts.",
        "Give survivor (kept) and merged (absorbed into it).");
    type(
        "same-contact",
        422,
        "Same contact twice",
        "A merge named the same contact as survivor and merged.",
        "Name two different contacts.");
    type(
        "external-ids-differ",
        409,
        "Different external ids",
        "The two contacts carry different externalIds: the source system says they are two people.",
        "Fix the external ids in the source system first, or do not merge them.");

    // Consent, suppressions, double opt-in, flags.
    type(
        "invalid-channel",
        422,
        "Invalid channel",
        "The value is not a channel.",
        "Use \"sms\" or \"email\".");
    type(
        "missing-channel",
        422,
        "Channel required",
        "The request needs a channel and has none.",
        "Give channel: \"sms\" or \"email\".");
    type(
        "missing-topic",
        422,
        "Topic required",
        "The request (or the imported file's consent columns) needs a topic and has none.",
        "Name the topic (GET /v1/topics lists them); for an import, add a topic column or give"
            + " one for the whole file.");
    type(
        "missing-action",
        422,
        "Action required",
        "A consent change does not say whether it grants or revokes.",
        "Give action: \"grant\" or \"revoke\".");
    type(
        "invalid-action",
        422,
        "Invalid action",
        "action is neither grant nor revoke.",
        "Give action: \"grant\" or \"revoke\".");
    type(
        "missing-wording",
        422,
        "Wording required",
        "A consent grant must keep the wording the person agreed to, for the record (GDPR Art."
            + " 7(1)).",
        "Send wording: the text the person saw when they agreed.");
    type(
        "invalid-source",
        422,
        "Invalid consent source",
        "The source names a way of consenting the API may not record (keywords, pages and imports"
            + " are recorded by Tandem itself).",
        "Use source api or support, or leave it out.");
    type(
        "unknown-topic",
        422,
        "Unknown topic",
        "The topic is not one Tandem knows.",
        "Use a topic GET /v1/topics lists, or create it with PUT /v1/topics/{key}.");
    type(
        "missing-address",
        422,
        "Address required",
        "A suppression needs the address to suppress.",
        "Give address: the phone number or email address.");
    type(
        "missing-reason",
        422,
        "Reason required",
        "A manual suppression needs a reason of 1 to 500 characters; it is kept with it.",
        "Say why the address is suppressed.");
    type(
        "suppression-not-found",
        404,
        "Suppression not found",
        "There is no manual suppression of this address on this channel. Bounces, complaints and"
            + " erasures cannot be lifted by hand.",
        "Check the channel and address against GET /v1/suppressions.");
    type(
        "flag-not-found",
        404,
        "Flag not found",
        "There is no open flag with this id on the contact (it may be resolved already).",
        "List the contact's open flags and use one of their ids.");
    type(
        "unknown-request",
        422,
        "Unknown confirmation",
        "The double opt-in confirmation does not exist.",
        "Use the link from the confirmation message, or ask for a new confirmation.");
    type(
        "confirmation-expired",
        409,
        "Confirmation expired",
        "The double opt-in confirmation expired before it was confirmed.",
        "Ask for a new confirmation.");

    // Messages.
    type(
        "missing-recipient",
        422,
        "Recipient required",
        "A message names nobody to send to.",
        "Give contactId, or to.phone and/or to.email.");
    type(
        "ambiguous-recipient",
        422,
        "Two recipients",
        "A message gives both contactId and to.",
        "Give either contactId or to, not both.");
    type(
        "addresses-of-two-contacts",
        409,
        "Addresses of two contacts",
        "to.phone and to.email belong to two different contacts.",
        "Send with contactId, or merge the contacts if they are one person.");
    type(
        "missing-content",
        422,
        "Content required",
        "A message says nothing to send: no template, no sms.text, no email.",
        "Give a template, or sms.text and/or email (subject and html or text).");
    type(
        "template-and-content",
        422,
        "Template and content",
        "A message names a template and also gives sms or email content.",
        "Send one of them (email.tracking and email.unsubscribe may go with a template).");
    type(
        "template-field-without-template",
        422,
        "Field needs a template",
        "A field that only means something with a template (data, locale, version) was given"
            + " without one.",
        "Name a template (\"template\": \"order-shipped\") or drop the field.");
    type(
        "missing-channels",
        422,
        "Empty channels",
        "channels is an empty list.",
        "Name [\"sms\"], [\"email\"] or both, or leave channels out to let the topic's policy"
            + " choose.");
    type(
        "duplicate-channel",
        422,
        "Channel listed twice",
        "channels names the same channel twice.",
        "List each channel once.");
    type(
        "no-sms-address",
        422,
        "No phone number",
        "The message asks for SMS but the contact has no phone number.",
        "Add a phone number (POST /v1/contacts/{id}/addresses) or send on email.");
    type(
        "no-email-address",
        422,
        "No email address",
        "The message asks for email but the contact has no email address.",
        "Add an email address (POST /v1/contacts/{id}/addresses) or send on SMS.");
    type(
        "missing-sms-text",
        422,
        "SMS text required",
        "channels includes sms but there is no sms.text.",
        "Give sms.text, or leave sms out of channels.");
    type(
        "sms-too-long",
        422,
        "SMS text too long",
        "sms.text is longer than Tandem sends as one message.",
        "Shorten it, or send the details by email.");
    type(
        "missing-email-subject",
        422,
        "Email subject required",
        "channels includes email but there is no email.subject.",
        "Give email.subject, or leave email out of channels.");
    type(
        "missing-email-body",
        422,
        "Email body required",
        "channels includes email but there is neither email.html nor email.text.",
        "Give email.html and/or email.text.");
    type(
        "subject-too-long",
        422,
        "Email subject too long",
        "email.subject is longer than the limit the detail gives.",
        "Shorten the subject.");
    type(
        "email-too-long",
        422,
        "Email body too long",
        "email.html or email.text is longer than the limit the detail gives.",
        "Shorten the body, or link to the long content.");
    type(
        "header-injection",
        422,
        "Line break in a header",
        "email.subject contains a line break; a subject is one header line.",
        "Remove the line break.");
    type(
        "invalid-attachment",
        422,
        "Invalid attachment",
        "An attachment is not usable: its name is not a plain file name, its content is not"
            + " base64, or it is not the object the route expects.",
        "Give each attachment a file name of 1-255 characters with no path, a content type and"
            + " base64 content.");
    type(
        "too-many-attachments",
        422,
        "Too many attachments",
        "The email has more attachments than Tandem sends.",
        "Send fewer attachments, or link to the files.");
    type(
        "attachments-too-large",
        422,
        "Attachments too large",
        "The attachments together are larger than Tandem sends.",
        "Link to large files instead of attaching them.");
    type(
        "invalid-content-id",
        422,
        "Invalid content id",
        "An inline image's contentId is not 1-100 letters, digits, '.', '_', '@' or '-'.",
        "Use a simple contentId and refer to it in the HTML as cid:ID.");
    type(
        "duplicate-content-id",
        422,
        "Content id used twice",
        "Two attachments have the same contentId.",
        "Give each inline image its own contentId.");
    type(
        "missing-inline-image",
        422,
        "Missing inline image",
        "email.html shows cid:ID but no attachment has that contentId.",
        "Add the image to email.attachments with that contentId, or remove the reference.");
    type(
        "invalid-substitution",
        422,
        "Invalid substitution",
        "sms.substitution is neither \"on\" nor \"off\".",
        "Send \"on\" (replace smart quotes and the like to stay in GSM-7) or \"off\".");
    type(
        "invalid-tracking",
        422,
        "Invalid tracking",
        "email.tracking is neither \"on\" nor \"off\".",
        "Send \"on\" or \"off\", or leave it out for the default.");
    type(
        "invalid-unsubscribe",
        422,
        "Invalid unsubscribe",
        "email.unsubscribe is neither \"on\" nor \"off\".",
        "Send \"on\" or \"off\", or leave it out for the default.");
    type(
        "missing-text",
        422,
        "Text required",
        "The SMS inspector (or sandbox inbound SMS) was given no text.",
        "Give text.");
    type(
        "invalid-idempotency-key",
        422,
        "Invalid idempotency key",
        "The idempotency key is empty or longer than 200 characters.",
        "Give a key of 1 to 200 characters, unique per message you mean to send.");
    type(
        "idempotency-key-mismatch",
        422,
        "Two idempotency keys",
        "The Idempotency-Key header and the idempotencyKey field differ.",
        "Send one of them, or the same value in both.");
    type(
        "idempotency-key-on-batch",
        422,
        "Idempotency key on a batch",
        "A batch was sent with an Idempotency-Key header; a batch has no key of its own.",
        "Give each message in the batch its own idempotencyKey.");
    type(
        "idempotency-key-reused",
        409,
        "Idempotency key reused",
        "The key was already used for a message with a different request; the first message"
            + " stands.",
        "Use a new key for a new message; resend the same request unchanged to get the first"
            + " answer again.");
    type(
        "invalid-dedupe-key",
        422,
        "Invalid dedupe key",
        "dedupeKey is empty or longer than 200 characters.",
        "Give a dedupeKey of 1 to 200 characters.");
    type(
        "too-far",
        422,
        "Too far ahead",
        "sendAt is more than a year ahead.",
        "Schedule it nearer the time.");
    type(
        "missing-messages",
        422,
        "Messages required",
        "A batch is not an array of 1 to the maximum number of message requests.",
        "Send {\"messages\": [ … ]} with each item as POST /v1/messages takes it.");
    type(
        "batch-too-large",
        422,
        "Batch too large",
        "The batch holds more message requests than one batch takes.",
        "Split it into several batches.");
    type(
        "message-not-found",
        404,
        "Message not found",
        "No message has this id.",
        "Use an id from POST /v1/messages or GET /v1/messages.");
    type(
        "invalid-status",
        422,
        "Invalid status",
        "The status filter is not a delivery status.",
        "Use one of the statuses the detail lists.");
    type(
        "smsc-not-bound",
        409,
        "SMSC not bound",
        "No SMPP client is bound to the sandbox SMSC yet, so an inbound SMS has nowhere to go.",
        "Try again in a moment, once Tandem's SMPP client has bound.");
    type(
        "no-http-provider",
        404,
        "No HTTP SMS provider",
        "A provider webhook was called, but that SMS provider is not the one configured"
            + " (sms.provider).",
        "Set sms.provider to twilio or vonage (with its credentials, docs/providers.md), or stop"
            + " the provider calling.");
    type(
        "missing-scope",
        422,
        "Sending domain missing",
        "Email marketing is paused per sending domain; the resume did not say which.",
        "Give scope, the domain of the From address (GET /v1/reputation lists the open pauses).");
    type(
        "pause-not-found",
        404,
        "No such pause",
        "There is no open reputation pause for that channel and sending domain: it was resumed"
            + " already, or never opened.",
        "GET /v1/reputation lists the open pauses with their channel and scope.");
    type(
        "no-email-provider",
        404,
        "Email provider events are off",
        "Mailgun or SendGrid posted an event webhook, but its key is not configured, so Tandem"
            + " cannot check the signature.",
        "Set emailEvents.mailgunSigningKey or emailEvents.sendgridVerificationKey"
            + " (docs/providers.md), or remove the webhook at the provider.");
    type(
        "unknown-sender",
        422,
        "Sender not configured",
        "The message names a sender (sms.from, email.from) that is not in the configured list.",
        "Use one of the senders the answer lists, or add it to sms.senders or email.identities"
            + " (the carrier or your domain's DNS must know it too).");
    type(
        "status-callbacks-off",
        422,
        "Status callbacks are off",
        "The message asks for a statusCallback, but no secret to sign its POSTs is configured.",
        "Set webhooks.callbackSecret (e.g. openssl rand -hex 32), or subscribe to delivery.* with"
            + " POST /v1/webhooks.");
    type(
        "insecure-url",
        422,
        "Callback URL not https",
        "The statusCallback URL is plain http to a public address, or to a private one while"
            + " webhooks.allowPrivateNetworks is off: its events would travel unencrypted.",
        "Give an https URL; for a receiver on your own network, set"
            + " webhooks.allowPrivateNetworks: on.");
    types(
        "invalid-link",
        List.of(404, 422),
        "Invalid link",
        "A link from a message (open, click, unsubscribe, hosted copy, short link) is not valid:"
            + " changed, expired, or not made by Tandem.",
        "Use the link exactly as it came in the message; an expired one cannot be renewed.");

    // Templates and snippets.
    type(
        "invalid-template",
        422,
        "Invalid template",
        "The template body is not a JSON object.",
        "Send a JSON object with variants (and optionally description, topic, sampleData).");
    type(
        "invalid-template-key",
        422,
        "Invalid template key",
        "The template or snippet key is not 1-64 lowercase letters, digits, '.', '-' or '_'.",
        "Use a key such as order-shipped.");
    type(
        "invalid-template-version",
        422,
        "Invalid template version",
        "version is not a version number.",
        "Give a version number (1, 2, …), or leave it out for the current one.");
    type(
        "template-not-found",
        404,
        "Template not found",
        "There is no template with this key, or it has no such version.",
        "Create it with PUT /v1/templates/{key}, or use a version GET /v1/templates/{key} lists.");
    type(
        "missing-variants",
        422,
        "Variants required",
        "A template has no variants.",
        "Give variants: an object by locale, e.g. {\"default\": {\"email\": {…}, \"sms\": {…}}}.");
    type(
        "missing-default-variant",
        422,
        "Default variant required",
        "A template has no \"default\" variant, what is sent when none of the person's locales"
            + " matches.",
        "Add a \"default\" variant.");
    type(
        "invalid-variant",
        422,
        "Invalid variant",
        "A variant is not an object with \"email\" and/or \"sms\".",
        "Give each locale an object with email and/or sms.");
    type(
        "empty-variant",
        422,
        "Empty variant",
        "A variant has neither an email nor an SMS.",
        "Give the variant an email, an sms, or both.");
    type(
        "too-many-variants",
        422,
        "Too many variants",
        "A template has more locales than Tandem keeps.",
        "Keep fewer locales per template.");
    type(
        "duplicate-locale",
        422,
        "Locale given twice",
        "Two variant keys name the same locale (en-us and en-US).",
        "Keep one of them.");
    type(
        "invalid-field",
        422,
        "Invalid field",
        "A template field that must be a string is not.",
        "Give the field as a JSON string.");
    type(
        "missing-field",
        422,
        "Field required",
        "A template field that is required is missing.",
        "Add the field the problem names.");
    type(
        "field-too-long",
        422,
        "Field too long",
        "A template field is longer than its limit.",
        "Shorten it to the limit the detail gives.");
    type(
        "unknown-field",
        422,
        "Unknown field",
        "An object (a template, a topic, an import mapping) names a field Tandem does not know.",
        "Remove the field, or correct its spelling to one the detail lists.");
    type(
        "invalid-data",
        422,
        "Invalid data",
        "data (or sampleData) is not a JSON object of the template's variables.",
        "Send an object such as {\"order\": {\"id\": \"A-1\"}}.");
    type(
        "data-too-deep",
        422,
        "Data nested too deep",
        "data nests deeper than Tandem renders.",
        "Flatten the data.");
    type(
        "invalid-track-links",
        422,
        "Invalid trackLinks",
        "trackLinks is neither true nor false.",
        "Send true or false.");
    type(
        "invalid-attachments",
        422,
        "Invalid attachments",
        "attachments is not a list of files.",
        "Send a list of attachment objects.");
    type(
        "template-syntax",
        422,
        "Template syntax",
        "A template text does not parse (an unclosed section, a stray tag).",
        "Fix the syntax at the place the detail names.");
    type(
        "template-variable-missing",
        422,
        "Template variable missing",
        "The template uses a variable the data does not have; Tandem never sends one as empty.",
        "Add the variable to data, or wrap its use in a section.");
    type(
        "rendered-too-large",
        422,
        "Rendered too large",
        "The template renders to more text or section iterations than Tandem allows with this"
            + " data.",
        "Send less data, or nest fewer sections.");
    type(
        "template-lint",
        422,
        "Template has errors",
        "The template's lint found errors; the findings list each one.",
        "Fix each finding and save the template again.");
    type(
        "template-missing-channel",
        422,
        "Template lacks the channel",
        "The template version has no variant for the channel the message needs in this locale.",
        "Add the channel to the template's variant, or send on a channel it has.");
    type(
        "snippet-not-found",
        404,
        "Snippet not found",
        "There is no snippet with this key.",
        "Create it with PUT /v1/snippets/{key}.");
    type(
        "snippet-missing",
        422,
        "Snippet missing",
        "The template includes a snippet ({{> key}}) that does not exist.",
        "Create the snippet with PUT /v1/snippets/{key}, or remove the include.");
    type(
        "snippet-include-cycle",
        422,
        "Snippet include cycle",
        "Snippets include each other without end.",
        "Break the cycle by removing one include.");
    type(
        "snippet-breaks-templates",
        422,
        "Snippet would break templates",
        "With this change to the snippet, templates that include it would fail lint; the"
            + " findings list each one.",
        "Change the snippet so the templates still pass, or change the templates first.");
    type(
        "snippet-in-use",
        409,
        "Snippet in use",
        "The snippet is included by templates, so it cannot be deleted.",
        "Remove the include from the templates the detail names first.");
    type(
        "preview-without-recipient",
        422,
        "Preview needs a recipient",
        "A template preview asked for a routing plan (channels or topic) without a recipient.",
        "Give contactId or to, or leave channels and topic out.");

    // Topics.
    type(
        "invalid-topic",
        422,
        "Invalid topic",
        "The topic body is not a JSON object.",
        "Send a JSON object with class and the policy fields.");
    type(
        "invalid-key",
        422,
        "Invalid topic key",
        "The topic key is not 1 to 64 lowercase letters, digits or '-'.",
        "Use a key such as order-shipped.");
    type(
        "missing-class",
        422,
        "Class required",
        "A topic has no class.",
        "Give class: critical, transactional or marketing.");
    type(
        "invalid-class",
        422,
        "Invalid class",
        "class is not a topic class.",
        "Use critical, transactional or marketing.");
    type(
        "invalid-policy",
        422,
        "Invalid channel policy",
        "policy is not a channel policy.",
        "Use email-first, sms-first, both, pointer or preference.");
    type(
        "invalid-description",
        422,
        "Invalid description",
        "description is not text of 1 to 200 characters.",
        "Give a short description; it is shown to people.");
    type(
        "invalid-duration",
        422,
        "Invalid duration",
        "A duration field is not an ISO-8601 duration (or is not positive where it must be).",
        "Write it like PT30M or P7D (30m, 24h and 7d work too).");
    type(
        "duration-too-long",
        422,
        "Duration too long",
        "A duration is longer than the longest a topic waits, caps or dedupes.",
        "Use a shorter duration (at most the detail's limit).");
    type(
        "invalid-number",
        422,
        "Invalid number",
        "A number field is not a whole number in its range.",
        "Give a whole number in the range the detail names.");
    type(
        "invalid-boolean",
        422,
        "Invalid boolean",
        "A field that must be true or false is neither.",
        "Send true or false.");
    type(
        "invalid-budget",
        422,
        "Invalid budget",
        "A budget is not an amount of zero or more.",
        "Write it like \"25.00\", or null for none.");
    type(
        "invalid-caps",
        422,
        "Invalid caps",
        "caps is not a list of {max, window}.",
        "Write caps like [{\"max\": 3, \"window\": \"P7D\"}], or [] for none.");
    type(
        "invalid-over-cap",
        422,
        "Invalid overCap",
        "overCap is neither defer nor drop.",
        "Use defer or drop.");
    type(
        "invalid-fallback",
        422,
        "Invalid fallback",
        "fallback is not an object like {\"on\": [\"failed\"], \"after\": \"PT30M\"}.",
        "Write the fallback in that shape, or null for none.");
    type(
        "invalid-trigger",
        422,
        "Invalid fallback trigger",
        "fallback.on names something that is not a trigger.",
        "List any of failed, no-receipt, not-opened, not-clicked.");
    type(
        "missing-after",
        422,
        "Fallback delay required",
        "A timed fallback trigger (no-receipt, not-opened, not-clicked) needs to know how long to"
            + " wait.",
        "Give fallback.after, e.g. PT30M.");
    type(
        "topic-not-found",
        404,
        "Topic not found",
        "There is no topic with this key.",
        "Use a key GET /v1/topics lists, or create it with PUT /v1/topics/{key}.");
    type(
        "topic-in-use",
        409,
        "Topic in use",
        "The topic is consent.defaultTopic (messages without a topic take it), so it cannot be"
            + " deleted.",
        "Set another default topic first.");

    // Webhooks.
    type(
        "missing-url",
        422,
        "URL required",
        "A webhook needs the address deliveries are POSTed to.",
        "Give url: an https address.");
    type(
        "invalid-url",
        422,
        "Invalid URL",
        "The webhook url is not an http(s) URL Tandem can call: malformed, longer than 2000"
            + " characters, with no host, with a user name or password, or with a #fragment.",
        "Give an https URL such as https://example.com/tandem; the receiver authenticates"
            + " deliveries by their signature.");
    type(
        "missing-events",
        422,
        "Events required",
        "A webhook names no event types.",
        "Give events, e.g. [\"delivery.delivered\", \"sms.received\"], \"delivery.*\", or [\"*\"]"
            + " for all.");
    type(
        "invalid-events",
        422,
        "Invalid events",
        "events is not a list of event types, or names too many.",
        "Give a short list of event types or prefixes.");
    type(
        "unknown-event-type",
        422,
        "Unknown event type",
        "An event type is not one Tandem sends.",
        "Use a type the detail lists, a prefix such as delivery.*, or *.");
    type(
        "invalid-secret",
        422,
        "Invalid secret",
        "The webhook secret is not 16 to 200 characters.",
        "Give a longer secret, or leave it out and Tandem makes one.");
    type(
        "too-many-webhooks",
        422,
        "Too many webhooks",
        "Tandem keeps at most 50 webhook subscriptions: each event is written once per"
            + " subscription.",
        "Delete one, or give one subscription more event types.");
    type(
        "webhook-not-found",
        404,
        "Webhook not found",
        "No webhook subscription has this id.",
        "Use an id GET /v1/webhooks lists.");
    type(
        "delivery-not-found",
        404,
        "Delivery not found",
        "The webhook has no delivery with this id.",
        "Use an id from the webhook's delivery log.");

    // Preferences.
    type(
        "no-address",
        422,
        "No address",
        "The contact (or imported row) has no address on the channel, or no address at all.",
        "Add the address first, or choose a channel the contact has.");

    // API keys.
    type(
        "invalid-name",
        422,
        "Invalid key name",
        "An API key name is not 1 to 100 characters.",
        "Name the key after its user, e.g. billing-service.");
    type(
        "invalid-scopes",
        422,
        "Invalid scopes",
        "scopes names no scope Tandem knows.",
        "Name at least one of the scopes the detail lists.");
    type(
        "invalid-expiry",
        422,
        "Invalid expiry",
        "expiresAt is not a future instant.",
        "Give a later time, or none for a key that does not expire.");
    type(
        "api-key-not-found",
        404,
        "API key not found",
        "No API key has this id.",
        "Use an id GET /v1/apikeys lists.");

    // Reports.
    type(
        "missing-from",
        422,
        "From required",
        "The cost report needs the start of its range; an inbound SMS injected into the sandbox"
            + " needs its sender.",
        "Give from: an instant such as 2026-11-01T00:00:00Z for the report, the sender's phone"
            + " number for the sandbox.");
    type(
        "missing-to",
        422,
        "To required",
        "The report needs the end of its range.",
        "Give to: an instant such as 2026-12-01T00:00:00Z.");
    type(
        "invalid-from",
        422,
        "Invalid from",
        "from is not an ISO-8601 instant.",
        "Write it like 2026-12-01T00:00:00Z.");
    type(
        "invalid-to",
        422,
        "Invalid to",
        "to is not an ISO-8601 instant.",
        "Write it like 2026-12-01T00:00:00Z.");
    type(
        "invalid-range",
        422,
        "Invalid range",
        "to is not after from.",
        "Give a to later than from.");
    type(
        "range-too-long",
        422,
        "Range too long",
        "The report range is longer than 366 days.",
        "Ask for a year at a time.");
    type(
        "invalid-group-by",
        422,
        "Invalid groupBy",
        "groupBy is not a grouping the report knows.",
        "Use topic, channel or country.");

    // Imports.
    type(
        "import-not-found",
        404,
        "Import not found",
        "No import has this id.",
        "Use the id POST /v1/imports answered.");
    type(
        "malformed-csv",
        422,
        "Malformed CSV",
        "The file is not CSV Tandem can read (an unclosed quote, no header). Nothing was"
            + " imported.",
        "Fix the file at the place the detail names and import it again.");
    type(
        "wrong-width",
        422,
        "Wrong number of fields",
        "A row has a different number of fields than the header.",
        "Make every row as wide as the header (quote values that contain commas).");
    type(
        "unknown-charset",
        422,
        "Unknown charset",
        "The file's charset is not one Tandem knows.",
        "Send UTF-8, or name a charset such as windows-1252.");
    type(
        "invalid-mapping",
        422,
        "Invalid mapping",
        "A map parameter is not field=Column.",
        "Write it like map=phone=Mobile%20number.");
    type(
        "invalid-consent",
        422,
        "Invalid consent value",
        "A consent column holds neither yes nor no.",
        "Write yes (granted, opted-in) or no (revoked, opted-out).");
    type(
        "invalid-date",
        422,
        "Invalid date",
        "A date column holds something that is not a date.",
        "Write 2026-01-31, 2026-01-31 14:30 or an ISO-8601 instant.");
    type(
        "future-date",
        422,
        "Date in the future",
        "A consent date in the file is in the future.",
        "Give the date the consent was actually given or withdrawn.");
    type(
        "grant-for-every-topic",
        422,
        "Opt-in for every topic",
        "A row grants consent for * (every topic); an opt-in is for one topic.",
        "Give the row a topic; * is for opt-outs only.");
    type(
        "consent-without-address",
        422,
        "Consent without address",
        "A row sets consent for a channel on which it has no address.",
        "Add the phone or email to the row, or leave its consent empty.");
  }
}
