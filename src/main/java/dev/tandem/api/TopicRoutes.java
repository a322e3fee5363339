package dev.tandem.api;

import dev.tandem.error.NotFound;
import dev.tandem.topic.Topic;
import dev.tandem.topic.TopicJson;
import dev.tandem.topic.Topics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /v1/topics}: list, read, create or replace, and delete topics with their routing policy
 * (docs/topics.md).
 */
final class TopicRoutes {
  static final String PATH = "/v1/topics";

  private final Topics topics;

  TopicRoutes(Topics topics) {
    this.topics = topics;
  }

  void register(Javalin app) {
    app.get(PATH, this::list);
    app.get(PATH + "/{key}", ctx -> ctx.json(TopicJson.write(find(ctx.pathParam("key")))));
    app.put(PATH + "/{key}", this::put);
    app.delete(
        PATH + "/{key}",
        ctx -> {
          topics.delete(ctx.pathParam("key"));
          ctx.status(204);
        });
  }

  private void list(Context ctx) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", topics.all().stream().map(TopicJson::write).toList());
    out.put("default", topics.defaultTopic());
    ctx.json(out);
  }

  /** Create or replace: the body is the whole topic, fields left out take the class's defaults. */
  private void put(Context ctx) {
    String key = ctx.pathParam("key");
    Body body = Body.parse(ctx, null);
    Topic topic = TopicJson.topic(key, body.root(), "", key);
    boolean created = topics.put(topic);
    ctx.status(created ? 201 : 200);
    if (created) {
      ctx.header("Location", PATH + "/" + key);
    }
    ctx.json(TopicJson.write(topics.find(key).orElse(topic)));
  }

  private Topic find(String key) {
    return topics
        .find(key)
        .orElseThrow(
            () -> new NotFound("topic-not-found", "key", "There is no topic '" + key + "'."));
  }
}
