package dev.tandem.delivery;

import dev.tandem.content.SmsContent;
import dev.tandem.sms.PriceTable;
import dev.tandem.sms.SenderType;
import dev.tandem.sms.SmsText;
import java.util.Optional;

/**
 * Segments and cost of an SMS delivery, computed once at accept: the text is encoded and split as
 * the gateway will send it, and priced from the table for the destination and sender type.
 */
public record SmsPricing(PriceTable table, SenderType sender, boolean substitutionByDefault) {

  /** What one SMS delivery costs. {@code cost} is empty when the table has no price for it. */
  record Priced(int segments, String encoding, Optional<PriceTable.Cost> cost) {}

  Priced price(String e164, SmsContent sms) {
    SmsText text = SmsText.of(sms.text(), sms.substitution());
    return new Priced(
        text.segments(), text.encoding().name(), table.cost(e164, sender, text.segments()));
  }
}
