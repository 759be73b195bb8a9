-- "user" is a reserved word in PostgreSQL, so the table name is always quoted.
-- Lengths are in characters (code points), as the API counts them.
CREATE TABLE IF NOT EXISTS "user" (
    -- GENERATED ALWAYS: nobody can insert an id by hand, so the sequence alone hands them out.
    -- It starts at 2 because the seed below takes id 1.
    id         bigint GENERATED ALWAYS AS IDENTITY (START WITH 2) PRIMARY KEY,
    username   varchar(256) NOT NULL,
    first_name varchar(256),
    last_name  varchar(256),
    email      varchar(256),
    phone      varchar(32),
    CONSTRAINT user_username_key UNIQUE (username)
);

-- The record every fresh installation starts with. Flyway runs this file once, so a
-- user 1 deleted later stays deleted when the migration runs again.
INSERT INTO "user" (id, username, first_name, last_name, email, phone)
OVERRIDING SYSTEM VALUE
VALUES (1, 'johndoe', 'John', 'Doe', 'john.doe@example.com', '+1 (555) 010-0001')
ON CONFLICT DO NOTHING;
