/** The SMTP adapter: the only place Jakarta Mail types are used for sending. */
package dev.tandem.email.smtp;
