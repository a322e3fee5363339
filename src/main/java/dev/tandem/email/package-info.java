/**
 * The email channel: the {@link dev.tandem.email.EmailGateway} port and its SMTP adapter in {@code
 * email.smtp}.
 */
package dev.tandem.email;
