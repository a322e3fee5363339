/**
 * The command line: {@code serve}, {@code demo}, {@code sms}, {@code contacts}, {@code route},
 * {@code apikey}. {@code dev.tandem.Main} is the entry point that gathers them.
 */
package dev.tandem.cli;
