package dev.tandem.sms;

/** How an SMS is encoded on the air: GSM 03.38 septets or UCS-2 (UTF-16). */
public enum SmsEncoding {
  GSM7(160, 153),
  UCS2(70, 67);

  /** Units (septets or UTF-16 code units) in a single SMS. */
  public final int singleLimit;

  /** Units per part of a concatenated SMS with the 6-octet UDH. */
  public final int partLimit;

  SmsEncoding(int singleLimit, int partLimit) {
    this.singleLimit = singleLimit;
    this.partLimit = partLimit;
  }
}
