/**
 * The routing brain: the send gate (consent and suppressions, one answer at accept and at dispatch)
 * and the router that turns a topic's policy and what is known of a person into a plan.
 */
package dev.tandem.routing;
