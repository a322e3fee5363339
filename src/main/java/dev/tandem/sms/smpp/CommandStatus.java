package dev.tandem.sms.smpp;

import dev.tandem.sms.SmsSubmitResult;

/** SMPP v3.4 {@code command_status} values: what they mean and whether to try again. */
final class CommandStatus {
  private CommandStatus() {}

  static String describe(int status) {
    String name =
        switch (status) {
          case 0x01 -> "invalid message length";
          case 0x02 -> "invalid command length";
          case 0x03 -> "invalid command id";
          case 0x04 -> "incorrect bind status";
          case 0x05 -> "already bound";
          case 0x08 -> "system error";
          case 0x0A -> "invalid source address";
          case 0x0B -> "invalid destination address";
          case 0x0C -> "invalid message id";
          case 0x0D -> "bind failed";
          case 0x0E -> "invalid password";
          case 0x0F -> "invalid system id";
          case 0x14 -> "message queue full";
          case 0x45 -> "submit_sm failed";
          case 0x58 -> "throttling error (rate exceeded)";
          case 0x61 -> "invalid scheduled delivery time";
          case 0x62 -> "invalid validity period";
          case 0x66 -> "submit to distribution list failed";
          default -> "error";
        };
    return "command_status 0x%08X (%s)".formatted(status, name);
  }

  /** The SMPP v3.4 name of a status, as SMSC documentation and logs write it: ESME_RINVPASWD. */
  static String symbol(int status) {
    return switch (status) {
      case 0x00 -> "ESME_ROK";
      case 0x01 -> "ESME_RINVMSGLEN";
      case 0x02 -> "ESME_RINVCMDLEN";
      case 0x03 -> "ESME_RINVCMDID";
      case 0x04 -> "ESME_RINVBNDSTS";
      case 0x05 -> "ESME_RALYBND";
      case 0x08 -> "ESME_RSYSERR";
      case 0x0A -> "ESME_RINVSRCADR";
      case 0x0B -> "ESME_RINVDSTADR";
      case 0x0D -> "ESME_RBINDFAIL";
      case 0x0E -> "ESME_RINVPASWD";
      case 0x0F -> "ESME_RINVSYSID";
      case 0x14 -> "ESME_RMSGQFUL";
      case 0x53 -> "ESME_RINVSYSTYP";
      case 0x58 -> "ESME_RTHROTTLED";
      case 0xFF -> "ESME_RUNKNOWNERR";
      default -> "0x%08X".formatted(status);
    };
  }

  static SmsSubmitResult toResult(int status) {
    return switch (status) {
      case 0x14, 0x58 -> new SmsSubmitResult.RetryLater("SMSC answered " + describe(status), true);
      case 0x08, 0x45 -> new SmsSubmitResult.RetryLater("SMSC answered " + describe(status));
      default -> new SmsSubmitResult.Rejected("SMSC refused the SMS: " + describe(status));
    };
  }
}
