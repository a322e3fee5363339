/**
 * Inbound mail (Jakarta Mail at the edge): reading and classifying what arrives — bounces,
 * complaints, automatic answers and replies. The SMTP server and mailbox polling will feed it.
 */
package dev.tandem.email.inbound;
