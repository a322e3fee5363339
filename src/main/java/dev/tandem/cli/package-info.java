/**
 * The command line: {@code serve}, {@code demo}, {@code sms}, {@code contacts}, {@code route},
 * {@code templates}, {@code apikey}, {@code backup}, {@code restore}. {@code dev.tandem.Main} is
 * the entry point that gathers them.
 */
package dev.tandem.cli;
