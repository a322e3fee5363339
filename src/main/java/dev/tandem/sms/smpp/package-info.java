/** The SMPP v3.4 adapter (jSMPP): the only package that imports org.jsmpp on the client side. */
package dev.tandem.sms.smpp;
