package dev.userservice.user;

/** A stored user: its id, its version (1 when created, one more with every update) and its fields. */
public record User(long id, long version, UserData data) {
}
