/**
 * The contact timeline: every send, receipt and inbound message, in time order, across channels.
 */
package dev.tandem.event;
