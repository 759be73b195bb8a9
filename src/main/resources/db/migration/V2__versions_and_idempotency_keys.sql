-- API 1.1: a version per user for conditional writes (ETag / If-Match), and the kept answers
-- of idempotent creates (Idempotency-Key).

-- Every existing row starts at version 1, as a new one does. ADD COLUMN with a constant
-- default does not rewrite the table (PostgreSQL 11+), so this is quick on a large one.
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 1;

-- One row per Idempotency-Key whose request was carried out. The row is written in the same
-- transaction as the user it created, so a key is kept exactly when its create committed.
CREATE TABLE IF NOT EXISTS idempotency_key (
    key          varchar(255) PRIMARY KEY,
    -- SHA-256 of the request's fields: the same key with another body is refused (422).
    request_hash bytea        NOT NULL,
    -- The kept answer: 200 with the new user's id, or 409 (username taken) without one.
    status       smallint     NOT NULL,
    user_id      bigint,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    expires_at   timestamptz  NOT NULL
);

-- The service removes expired keys in small batches, oldest first.
CREATE INDEX IF NOT EXISTS idempotency_key_expires_at ON idempotency_key (expires_at);
