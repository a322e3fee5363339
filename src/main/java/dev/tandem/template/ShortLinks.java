package dev.tandem.template;

import dev.tandem.contact.ContactData;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.NamedSql;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Tracked short links in SMS: {@code /s/CODE}, ten characters that cost an SMS little room. A code
 * is seven random base-62 characters and three of an HMAC over them, so a made-up code is refused
 * before the database is asked; the target is stored with the code and never read from the request,
 * so the redirect cannot be pointed anywhere else. A click counts on the link and goes on the
 * person's timeline.
 */
public final class ShortLinks implements ContactData {
  public static final String PATH = "/s/";

  /** User agents of link-preview fetchers (Apple's Messages sends the Facebook/Twitter ones). */
  private static final java.util.regex.Pattern PREVIEW_FETCHERS =
      java.util.regex.Pattern.compile(
          "facebookexternalhit|Facebot|Twitterbot|WhatsApp|TelegramBot|Slackbot|Discordbot"
              + "|SkypeUriPreview|LinkedInBot|Googlebot|bingbot|redditbot|Embedly|preview",
          java.util.regex.Pattern.CASE_INSENSITIVE);

  public static final int CODE_LENGTH = 10;
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final int RANDOM = 7;

  private final Jdbi jdbi;
  private final Clock clock;
  private final Timeline timeline;
  private final byte[] key;
  private final Supplier<String> publicUrl;
  private final SecureRandom random = new SecureRandom();
  private final String insertLink;
  private final String click;
  private final String target;
  private final String mergeLinks;
  private final String eraseLinks;

  public ShortLinks(
      Jdbi jdbi, Clock clock, Timeline timeline, byte[] key, Supplier<String> publicUrl) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.timeline = timeline;
    this.key = key.clone();
    this.publicUrl = publicUrl;
    var sql = NamedSql.forClass(ShortLinks.class);
    this.insertLink = sql.get("insertLink");
    this.click = sql.get("click");
    this.target = sql.get("target");
    this.mergeLinks = sql.get("mergeLinks");
    this.eraseLinks = sql.get("eraseLinks");
  }

  /** The hook for merge and erasure only (no database work happens through it otherwise). */
  public static ContactData records() {
    return new ShortLinks(null, Clock.systemUTC(), null, new byte[1], () -> "");
  }

  /** A new short link's full URL; the code is its last {@link #CODE_LENGTH} characters. */
  public String newLink() {
    return publicUrl.get() + PATH + newCode();
  }

  /** What a short link looks like before it exists: as long as a real one (previews, lint). */
  public String placeholder() {
    return publicUrl.get() + PATH + "PREVIEW000";
  }

  String newCode() {
    var code = new StringBuilder(CODE_LENGTH);
    for (int i = 0; i < RANDOM; i++) {
      code.append(BASE62.charAt(random.nextInt(62)));
    }
    return code.append(mac(code.toString())).toString();
  }

  /** True when the code is one this server made (its HMAC matches). */
  public boolean valid(String code) {
    if (code == null || code.length() != CODE_LENGTH) {
      return false;
    }
    for (int i = 0; i < CODE_LENGTH; i++) {
      if (BASE62.indexOf(code.charAt(i)) < 0) {
        return false;
      }
    }
    return MessageDigest.isEqual(
        mac(code.substring(0, RANDOM)).getBytes(StandardCharsets.US_ASCII),
        code.substring(RANDOM).getBytes(StandardCharsets.US_ASCII));
  }

  /** Stores the links of a message's SMS, in the transaction that accepts the message. */
  public void record(
      Handle handle,
      UUID messageId,
      UUID contactId,
      List<TemplateRenderer.Link> links,
      Instant now) {
    if (links.isEmpty()) {
      return;
    }
    var batch = handle.prepareBatch(insertLink);
    for (TemplateRenderer.Link link : links) {
      String shortUrl = link.shortUrl();
      batch
          .bind("code", shortUrl.substring(shortUrl.length() - CODE_LENGTH))
          .bind("messageId", messageId)
          .bind("contactId", contactId)
          .bind("url", link.url())
          .bind("now", now)
          .add();
    }
    int inserted = java.util.Arrays.stream(batch.execute()).sum();
    if (inserted < links.size()) {
      throw new CodeTaken();
    }
  }

  /**
   * A new link's code was another link's already: the accepting transaction rolls back and the
   * message is rendered again with new codes.
   */
  public static final class CodeTaken extends RuntimeException {
    public CodeTaken() {
      super("a short-link code is taken", null, false, false);
    }
  }

  /**
   * A click: the link's target, counted and put on the person's timeline; empty for a code this
   * server did not make or no longer has (an erased person's).
   */
  public Optional<String> click(String code) {
    return click(code, null);
  }

  /**
   * A click, unless {@code userAgent} is a link-preview fetcher (messaging apps fetch a link to
   * show its preview before anyone taps it): that is answered with the target but not counted.
   */
  public Optional<String> click(String code, String userAgent) {
    if (!valid(code)) {
      return Optional.empty();
    }
    if (userAgent != null && PREVIEW_FETCHERS.matcher(userAgent).find()) {
      return jdbi.withHandle(
          handle -> handle.createQuery(target).bind("code", code).mapTo(String.class).findOne());
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return jdbi.inTransaction(handle -> {
      Optional<Map<String, Object>> row =
          handle.createQuery(click).bind("code", code).bind("now", now).mapToMap().findOne();
      row.ifPresent(r ->
          timeline.append(
              handle,
              List.of(
                  new TimelineEvent(
                      (UUID) r.get("contact_id"),
                      now,
                      "sms.clicked",
                      "sms",
                      (UUID) r.get("message_id"),
                      null,
                      Map.of("url", r.get("url"), "clicks", r.get("clicks"))))));
      return row.map(r -> (String) r.get("url"));
    });
  }

  private String mac(String random) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] sum = mac.doFinal(random.getBytes(StandardCharsets.US_ASCII));
      var out = new StringBuilder(CODE_LENGTH - RANDOM);
      for (int i = 0; i < CODE_LENGTH - RANDOM; i++) {
        out.append(BASE62.charAt((sum[i] & 0xff) % 62));
      }
      return out.toString();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<String> tables() {
    return List.of("short_link");
  }

  @Override
  public void merge(Handle handle, UUID from, UUID into) {
    handle.createUpdate(mergeLinks).bind("from", from).bind("into", into).execute();
  }

  @Override
  public void erase(Handle handle, Erasure erasure) {
    handle.createUpdate(eraseLinks).bind("ids", erasure.ids()).execute();
  }
}
