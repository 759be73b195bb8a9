-- API 1.2: a profile created with a bearer token belongs to the token's subject (`sub`). Rows
-- from before (and those an administrator creates) have no owner: only administrators reach
-- them. A nullable column without a default: adding it rewrites nothing.
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS owner_subject text;

-- A subject owns at most one profile; the index also finds it for /user/me.
CREATE UNIQUE INDEX IF NOT EXISTS user_owner_subject ON "user" (owner_subject) WHERE owner_subject IS NOT NULL;
