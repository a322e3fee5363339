package dev.tandem.sms.smpp;

import org.jsmpp.bean.DataCoding;

/** A data_coding octet as given (jSMPP's classes cannot express 0x03 with a default class). */
record RawDataCoding(byte value) implements DataCoding {
  @Override
  public byte toByte() {
    return value;
  }
}
