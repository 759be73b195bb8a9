package dev.userservice.user;

/** The writable fields of a user, already checked against the rules of the API. */
public record UserData(String username, String firstName, String lastName, String email, String phone) {
}
