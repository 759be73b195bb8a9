package dev.userservice.user;

import io.vertx.core.json.JsonObject;

/** A stored user. */
public record User(long id, UserData data) {

  /** All six fields, absent ones as null, in the API's field names. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("username", data.username())
        .put("firstName", data.firstName())
        .put("lastName", data.lastName())
        .put("email", data.email())
        .put("phone", data.phone());
  }
}
