/**
 * HTTP SMS providers: the Twilio-compatible Messages API and the Vonage SMS API, their callbacks
 * and their signatures.
 */
package dev.tandem.sms.http;
