/**
 * What a message says on each channel, as typed values validated when they are made: {@link
 * SmsContent}, {@link EmailContent}, and {@link MessageContent} that holds both and is stored as
 * JSON with the message. The only place message content is read or written.
 */
package dev.tandem.content;
