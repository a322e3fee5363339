/**
 * The sandbox: an SMTP server that keeps what it receives and an SMPP SMSC simulator. Both speak
 * the real protocols over TCP on 127.0.0.1, so Tandem's clients cannot tell them from the real
 * thing.
 */
package dev.tandem.sandbox;
