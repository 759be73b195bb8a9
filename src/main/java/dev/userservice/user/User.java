package dev.userservice.user;

/** A stored user. */
public record User(long id, UserData data) {
}
