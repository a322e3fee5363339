/**
 * Topics: what a message is about, its class and its routing policy. {@link
 * dev.tandem.topic.Topics} owns the {@code topic} table (seeded from config, managed at runtime)
 * and serves it from memory; {@link dev.tandem.topic.TopicJson} is the one JSON form of a topic
 * (API, table, YAML).
 */
package dev.tandem.topic;
