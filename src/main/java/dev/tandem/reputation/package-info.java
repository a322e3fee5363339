/**
 * The reputation guard: bounce, complaint and opt-out rates over a rolling window, and marketing
 * paused on a channel (email: per sending domain) while they pass their thresholds.
 */
package dev.tandem.reputation;
