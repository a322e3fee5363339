package dev.tandem.topic;

/** A topic people can consent to; {@code description} is shown to them. */
public record Topic(String key, TopicClass topicClass, String description) {}
