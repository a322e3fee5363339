/**
 * The SMS channel: the GSM 03.38 codec, delivery receipts, the {@link dev.tandem.sms.SmsGateway}
 * port and its adapters (SMPP in {@code sms.smpp}), and inbound SMS.
 */
package dev.tandem.sms;
