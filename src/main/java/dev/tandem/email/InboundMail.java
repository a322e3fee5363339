package dev.tandem.email;

import java.util.List;
import java.util.Optional;

/**
 * An email Tandem received, classified. {@code verpToken} is the delivery a bounce or complaint
 * names through its VERP address; {@code references} are the Message-IDs it answers or reports on
 * (In-Reply-To, References, or those of the original message inside a report). No text holds
 * U+0000: PostgreSQL cannot store it, and mail that cannot be stored would be refused for ever.
 */
public record InboundMail(
    Kind kind,
    String from,
    String subject,
    Optional<String> verpToken,
    List<String> references,
    Optional<Bounce> bounce,
    Optional<String> feedbackType,
    String newText,
    String fullText,
    Optional<String> problem) {

  public InboundMail {
    from = withoutNul(from);
    subject = withoutNul(subject);
    verpToken = verpToken.map(InboundMail::withoutNul);
    references = references.stream().map(InboundMail::withoutNul).toList();
    feedbackType = feedbackType.map(InboundMail::withoutNul);
    newText = withoutNul(newText);
    fullText = withoutNul(fullText);
    problem = problem.map(InboundMail::withoutNul);
  }

  static String withoutNul(String text) {
    return text == null || text.indexOf('\0') < 0 ? text : text.replace("\0", "");
  }

  /** The same mail, classified as {@code kind}. */
  public InboundMail withKind(Kind kind) {
    return new InboundMail(
        kind,
        from,
        subject,
        verpToken,
        references,
        bounce,
        feedbackType,
        newText,
        fullText,
        problem);
  }

  /** What the mail is. */
  public enum Kind {
    /** A permanent delivery failure (status 5.x.x): the address should be suppressed. */
    HARD_BOUNCE,
    /** A temporary failure or delay (4.x.x): recorded; the delivery may be retried. */
    SOFT_BOUNCE,
    /**
     * An email service provider would not send it for a reason that says nothing bad about the
     * address (the person unsubscribed at the provider, its content or quota rules): the delivery
     * fails (a fallback may follow); the address is not suppressed and no bounce is counted.
     */
    REFUSED,
    /** A delivery report that says the message was delivered or relayed. */
    DELIVERY_REPORT,
    /** An abuse/spam complaint (ARF, RFC 5965): suppress marketing to the address. */
    COMPLAINT,
    /** An out-of-office or other automatic answer (RFC 3834): recorded, not a reply. */
    AUTO_REPLY,
    /** A person's reply. */
    REPLY,
    /**
     * Mailing-list or bulk mail (List-Id, List-Unsubscribe, Precedence bulk or list): a reply only
     * when it answers a delivery Tandem sent (a list relaying an answer), otherwise stored only.
     */
    BULK,
    /**
     * Mail to the {@code mailto:unsubscribe+<token>@} address of List-Unsubscribe; {@code
     * verpToken} holds the signed token.
     */
    UNSUBSCRIBE,
    /** Mail Tandem could not read; {@code problem} says why. */
    UNREADABLE
  }

  /**
   * The failing recipient's status from the report: {@code 5.1.1}, the action and the diagnostic.
   */
  public record Bounce(String recipient, String status, String action, String diagnostic) {
    public Bounce {
      recipient = withoutNul(recipient);
      status = withoutNul(status);
      action = withoutNul(action);
      diagnostic = withoutNul(diagnostic);
    }
  }
}
