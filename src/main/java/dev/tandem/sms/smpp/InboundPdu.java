package dev.tandem.sms.smpp;

import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.Gsm7;
import dev.tandem.sms.InboundSms;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;

/** Turns a {@code deliver_sm} into Tandem's types: inbound text (with its part) or a receipt. */
final class InboundPdu {
  private InboundPdu() {}

  /** Thrown for a PDU whose text cannot be decoded; the message names what is wrong. */
  static final class Undecodable extends RuntimeException {
    final String raw;

    Undecodable(String reason, String raw) {
      super(reason);
      this.raw = raw;
    }
  }

  static byte[] messageBytes(DeliverSm deliverSm) {
    byte[] body = deliverSm.getShortMessage();
    if (body == null || body.length == 0) {
      OptionalParameter payload =
          deliverSm.getOptionalParameter(OptionalParameter.Tag.MESSAGE_PAYLOAD);
      if (payload instanceof OptionalParameter.OctetString octets) {
        return octets.getValue();
      }
      return new byte[0];
    }
    return body;
  }

  static InboundSms decode(DeliverSm deliverSm, Instant now) {
    byte[] body = messageBytes(deliverSm);
    String userData = hex(body);
    int coding = deliverSm.getDataCoding() & 0xFF;
    Optional<InboundSms.Part> part = Optional.empty();
    if ((deliverSm.getEsmClass() & 0x40) != 0) {
      int udhLength = body.length == 0 ? -1 : body[0] & 0xFF;
      if (udhLength < 0 || udhLength + 1 > body.length) {
        throw new Undecodable("the user data header is longer than the message", hex(body));
      }
      part = concatenation(Arrays.copyOfRange(body, 1, udhLength + 1));
      body = Arrays.copyOfRange(body, udhLength + 1, body.length);
    } else {
      part = sar(deliverSm);
    }
    String text =
        switch (coding & 0x0F) {
          case 0x08 -> {
            if (body.length % 2 != 0) {
              throw new Undecodable(
                  "UCS-2 text with an odd number of octets (" + body.length + ")", hex(body));
            }
            yield new String(body, StandardCharsets.UTF_16BE);
          }
          case 0x00 -> Gsm7.decode(body);
          case 0x01, 0x03 -> new String(body, StandardCharsets.ISO_8859_1);
          case 0x04 -> throw new Undecodable("binary data (data_coding 0x04), not text", hex(body));
          default -> new String(body, StandardCharsets.ISO_8859_1);
        };
    String from = deliverSm.getSourceAddr() == null ? "" : deliverSm.getSourceAddr();
    boolean international = deliverSm.getSourceAddrTon() == 1 || from.startsWith("+");
    return new InboundSms(
        international ? "+" + from.replaceFirst("^\\+", "") : from,
        deliverSm.getDestAddress(),
        text,
        coding,
        now,
        part,
        deliverSm.getEsmClass() & 0xFF,
        userData);
  }

  /** IEI 0x00 (8-bit reference) or 0x08 (16-bit reference) in a user data header. */
  private static Optional<InboundSms.Part> concatenation(byte[] udh) {
    for (int i = 0; i + 1 < udh.length; ) {
      int iei = udh[i] & 0xFF;
      int length = udh[i + 1] & 0xFF;
      if (i + 2 + length > udh.length) {
        break;
      }
      if (iei == 0x00 && length == 3) {
        return Optional.of(
            new InboundSms.Part(udh[i + 2] & 0xFF, udh[i + 3] & 0xFF, udh[i + 4] & 0xFF));
      }
      if (iei == 0x08 && length == 4) {
        int reference = ((udh[i + 2] & 0xFF) << 8) | (udh[i + 3] & 0xFF);
        return Optional.of(new InboundSms.Part(reference, udh[i + 4] & 0xFF, udh[i + 5] & 0xFF));
      }
      i += 2 + length;
    }
    return Optional.empty();
  }

  private static Optional<InboundSms.Part> sar(DeliverSm deliverSm) {
    if (deliverSm.getOptionalParameter(OptionalParameter.Tag.SAR_MSG_REF_NUM)
            instanceof OptionalParameter.Short ref
        && deliverSm.getOptionalParameter(OptionalParameter.Tag.SAR_TOTAL_SEGMENTS)
            instanceof OptionalParameter.Byte total
        && deliverSm.getOptionalParameter(OptionalParameter.Tag.SAR_SEGMENT_SEQNUM)
            instanceof OptionalParameter.Byte seq) {
      return Optional.of(
          new InboundSms.Part(
              ref.getValue() & 0xFFFF, total.getValue() & 0xFF, seq.getValue() & 0xFF));
    }
    return Optional.empty();
  }

  /** A receipt carried only in TLVs ({@code receipted_message_id}, {@code message_state}). */
  static Optional<DeliveryReceipt> receiptFromTlvs(DeliverSm deliverSm, String raw) {
    OptionalParameter id =
        deliverSm.getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID);
    OptionalParameter state = deliverSm.getOptionalParameter(OptionalParameter.Tag.MESSAGE_STATE);
    if (!(id instanceof OptionalParameter.OctetString idValue)
        || !(state instanceof OptionalParameter.Byte stateValue)) {
      return Optional.empty();
    }
    String stat =
        switch (stateValue.getValue()) {
          case 1 -> "ENROUTE";
          case 2 -> "DELIVRD";
          case 3 -> "EXPIRED";
          case 4 -> "DELETED";
          case 5 -> "UNDELIV";
          case 6 -> "ACCEPTD";
          case 8 -> "REJECTD";
          default -> "UNKNOWN";
        };
    String messageId = idValue.getValueAsString().replace("\u0000", "").strip();
    if (messageId.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new DeliveryReceipt(messageId, "", "", Optional.empty(), Optional.empty(), stat, "", raw));
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
