/** Topics: what a message is about, its class, and (with routing) its channel policy. */
package dev.tandem.topic;
