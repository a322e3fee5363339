package dev.tandem.api;

import dev.tandem.consent.ConsentChange;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.consent.ConsentPolicy;
import dev.tandem.consent.ContactFlags;
import dev.tandem.consent.DoubleOptIn;
import dev.tandem.consent.Suppressions;
import dev.tandem.contact.Contacts;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.event.Changes;
import dev.tandem.store.Page;
import dev.tandem.store.PageRequest;
import dev.tandem.topic.Topic;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The consent ledger over HTTP: state and history, changes by API, double opt-in, the feed. */
final class ConsentRoutes {
  private final Contacts contacts;
  private final ConsentLedger ledger;
  private final ContactFlags flags;
  private final DoubleOptIn doubleOptIn;
  private final Changes changes;
  private final Clock clock;
  private final Suppressions suppressions;

  ConsentRoutes(
      Contacts contacts,
      ConsentLedger ledger,
      ContactFlags flags,
      DoubleOptIn doubleOptIn,
      Changes changes,
      Clock clock,
      Suppressions suppressions) {
    this.suppressions = suppressions;
    this.contacts = contacts;
    this.ledger = ledger;
    this.flags = flags;
    this.doubleOptIn = doubleOptIn;
    this.changes = changes;
    this.clock = clock;
  }

  void register(Javalin app) {
    app.get("/v1/contacts/{id}/consents", this::consents);
    app.post("/v1/contacts/{id}/consents", this::change);
    app.post("/v1/contacts/{id}/double-opt-in", this::doubleOptIn);
    app.get("/v1/changes", this::changes);
    app.get("/v1/flags", ctx -> ctx.json(Map.of("items", flags.open(500))));
    app.post(
        "/v1/flags/{flagId}/resolve",
        ctx -> {
          long id;
          try {
            id = Long.parseLong(ctx.pathParam("flagId"));
          } catch (NumberFormatException e) {
            id = -1;
          }
          if (!flags.resolve(id)) {
            throw new NotFound(
                "flag-not-found",
                "flagId",
                "There is no open flag " + ctx.pathParam("flagId") + ".");
          }
          ctx.status(204);
        });
    app.post("/v1/consents/rebuild", ctx -> ctx.json(Map.of("stateRows", ledger.rebuild())));
    app.post(
        "/v1/suppressions",
        ctx -> {
          Body body = Body.parse(ctx, Set.of("channel", "address", "reason"));
          ctx.status(201)
              .json(
                  suppressions.add(
                      body.string("channel"), body.string("address"), body.string("reason")));
        });
    app.get("/v1/suppressions", this::suppressions);
    app.delete(
        "/v1/suppressions",
        ctx -> {
          suppressions.remove(ctx.queryParam("channel"), ctx.queryParam("address"));
          ctx.status(204);
        });
  }

  /** Effective state per channel × topic, the stored rows, the history and open questions. */
  private void consents(Context ctx) {
    UUID id = ApiServer.uuidParam(ctx, "id");
    contacts.get(id);
    ctx.json(view(id));
  }

  Map<String, Object> view(UUID id) {
    var asks = new ArrayList<ConsentLedger.Ask>();
    for (String channel : List.of("sms", "email")) {
      for (Topic topic : ledger.topics().all()) {
        asks.add(new ConsentLedger.Ask(id, channel, topic.key()));
      }
    }
    List<ConsentPolicy.Decision> decisions = ledger.decide(asks);
    var effective = new ArrayList<Map<String, Object>>();
    for (int i = 0; i < asks.size(); i++) {
      var row = new LinkedHashMap<String, Object>();
      row.put("channel", asks.get(i).channel());
      row.put("topic", asks.get(i).topic());
      row.put(
          "class",
          ledger
              .topic("topic", asks.get(i).topic())
              .topicClass()
              .name()
              .toLowerCase(java.util.Locale.ROOT));
      row.put("allowed", decisions.get(i).allowed());
      row.put("reason", decisions.get(i).reason());
      effective.add(row);
    }
    var view = new LinkedHashMap<String, Object>();
    view.put("contactId", id);
    view.put("effective", effective);
    view.put("state", ledger.current(id));
    view.put("history", ledger.history(id));
    view.put("flags", flags.ofContact(id));
    return view;
  }

  private void change(Context ctx) {
    UUID id = ApiServer.uuidParam(ctx, "id");
    contacts.get(id);
    Body body =
        Body.parse(
            ctx, Set.of("channel", "topic", "action", "source", "wording", "at", "evidence"));
    String channel = required(body, "channel");
    String topic = required(body, "topic");
    String action = required(body, "action");
    ConsentChange.Action parsed =
        switch (action) {
          case "grant", "granted" -> ConsentChange.Action.GRANTED;
          case "revoke", "revoked" -> ConsentChange.Action.REVOKED;
          default ->
              throw new InvalidInput(
                  "invalid-action", "action", "'" + action + "' is not grant or revoke.");
        };
    String sourceKey = body.string("source") == null ? "api" : body.string("source");
    ConsentChange.Source source;
    if (sourceKey.equals("api")) {
      source = ConsentChange.Source.API;
    } else if (sourceKey.equals("support")) {
      source = ConsentChange.Source.SUPPORT;
    } else {
      throw new InvalidInput(
          "invalid-source",
          "source",
          "'"
              + sourceKey
              + "' cannot be set through the API: use api or support (the others are recorded by"
              + " Tandem itself).");
    }
    String wording = body.string("wording");
    if (parsed == ConsentChange.Action.GRANTED && (wording == null || wording.isBlank())) {
      throw new InvalidInput(
          "missing-wording",
          "wording",
          "A grant needs the wording the person agreed to, for the record (GDPR Art. 7(1)).");
    }
    Instant at = clock.instant();
    if (body.string("at") != null) {
      try {
        at = Instant.parse(body.string("at"));
      } catch (DateTimeParseException e) {
        throw new InvalidInput(
            "invalid-time",
            "at",
            "'" + body.string("at") + "' is not an ISO-8601 instant such as 2026-01-31T10:00:00Z.");
      }
      if (at.isAfter(clock.instant())) {
        throw new InvalidInput("future-time", "at", "at is in the future: " + at + ".");
      }
    }
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("ip", ctx.ip());
    evidence.put("apiUserAgent", String.valueOf(ctx.userAgent()));
    String note = body.string("evidence");
    if (note != null) {
      evidence.put("note", note.length() > 2000 ? note.substring(0, 2000) : note);
    }
    List<Long> ids =
        ledger.record(
            List.of(
                new ConsentChange(
                    id, channel, topic, parsed, source, wording, evidence, at, null)));
    ctx.status(201).json(Map.of("eventIds", ids, "consents", view(id)));
  }

  private void doubleOptIn(Context ctx) {
    UUID id = ApiServer.uuidParam(ctx, "id");
    contacts.get(id);
    Body body = Body.parse(ctx, Set.of("channel", "topic"));
    var pending = doubleOptIn.request(id, required(body, "channel"), required(body, "topic"));
    ctx.status(202).json(pending);
  }

  /**
   * {@code GET /v1/suppressions}: with {@code address}, every suppression of it; without, all of
   * them (of {@code channel} when given), newest first, a page at a time.
   */
  private void suppressions(Context ctx) {
    String address = ctx.queryParam("address");
    if (address == null) {
      var request = PageRequest.of(ctx.queryParam("limit"), ctx.queryParam("after"), 4);
      var channel = ApiServer.optionalChannel(ctx).map(c -> c.key());
      ctx.json(ApiServer.pageJson(suppressions.page(channel, request), x -> x));
      return;
    }
    ctx.json(
        ApiServer.pageJson(
            new Page<>(suppressions.of(ctx.queryParam("channel"), address), null), x -> x));
  }

  private void changes(Context ctx) {
    String limitParam = ctx.queryParam("limit");
    int limit = 100;
    if (limitParam != null) {
      try {
        limit = Integer.parseInt(limitParam);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 1000) {
        throw new InvalidInput(
            "invalid-limit", "limit", "limit '" + limitParam + "' must be from 1 to 1000.");
      }
    }
    ctx.json(changes.after(ctx.queryParam("after"), limit));
  }

  private static String required(Body body, String field) {
    String value = body.string(field);
    if (value == null || value.isBlank()) {
      throw new InvalidInput("missing-" + field, field, field + " is required.");
    }
    return value;
  }
}
