-- Which releases may run on this schema (docs/upgrading.md). A release's migrations leave the
-- schema usable by the release before it (expand now, contract one release later), and each one
-- records here the oldest release whose code still runs correctly on the schema it leaves. A
-- release older than the highest floor does not become ready, and says why in one line.
CREATE TABLE IF NOT EXISTS schema_release_floor (
    version        bigint  PRIMARY KEY, -- the migration (flyway_schema_history.version)
    oldest_release text    NOT NULL,    -- major.minor.patch
    reason         text    NOT NULL
);

-- The migrations so far: each one usable by the release before the one that brought it.
INSERT INTO schema_release_floor (version, oldest_release, reason) VALUES
    (1, '1.0.0', 'the user table (1.0.0)'),
    (2, '1.0.0', 'versions and idempotency keys (1.1.0): a column with a default and a new table, which 1.0.0 ignores'),
    (3, '1.1.0', 'profile owners (1.2.0): a nullable column and an index, which 1.1.0 ignores; with accounts on, 1.1.0 would show every profile to anyone (docs/upgrading.md)'),
    (4, '1.2.0', 'this table (1.3.0), which 1.2.0 ignores')
ON CONFLICT (version) DO NOTHING;
