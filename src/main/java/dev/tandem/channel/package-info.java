/** The channels Tandem sends on, as a value shared by every feature. Depends on nothing. */
package dev.tandem.channel;
