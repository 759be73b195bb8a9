package dev.userservice.user;

/**
 * A stored user: its id, its version (1 when created, one more with every update), its fields,
 * and the subject that owns it (API 1.2; null: no one, only administrators reach it).
 */
public record User(long id, long version, UserData data, String owner) {
}
