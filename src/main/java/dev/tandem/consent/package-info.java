/**
 * Consent: the keyword classifier for inbound SMS today; the consent ledger, suppressions and
 * double opt-in come with issue 5.
 */
package dev.tandem.consent;
