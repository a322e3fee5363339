package dev.tandem.routing;

import dev.tandem.channel.Channel;

public record Skip(Channel channel, Reason reason) {}
