/** HTTP SMS providers: the Twilio-compatible Messages API, its callbacks and their signatures. */
package dev.tandem.sms.http;
