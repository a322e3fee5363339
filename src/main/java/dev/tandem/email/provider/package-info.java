/**
 * Event webhooks of email service providers that relay Tandem's mail (Mailgun, SendGrid): each
 * verified by the provider's published signature and read into the reports inbound mail already
 * understands, so a provider's bounce or complaint takes the same path as a DSN or an ARF report.
 */
package dev.tandem.email.provider;
