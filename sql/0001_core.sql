-- Core tables shared by every source: raw documents, runs, checkpoints,
-- quarantine. Conventions for all tables:
--  * ReplacingMergeTree(version) keyed by the natural identity, so that
--    re-ingesting the same input replaces rows instead of adding them;
--  * rows of one identity always land in the same partition (the partition
--    expression is fixed when the identity is first seen), otherwise a
--    replaced row in another partition would never be merged away;
--  * reads of current state de-duplicate explicitly (FINAL or argMax).

-- Raw documents as fetched, kept so that everything downstream can be
-- rebuilt (re-parsed, re-detected) without refetching. body is stored as
-- is; the column compression of the server compresses it (ZSTD on the
-- managed server, LZ4 by default elsewhere).
CREATE TABLE IF NOT EXISTS raw_documents (
    source String,
    doc_key String,
    format String,
    origin String,
    position String,
    sha256 String,
    fetched_at DateTime,
    body String
) ENGINE = ReplacingMergeTree(fetched_at)
PARTITION BY source
ORDER BY (source, doc_key, sha256);

-- One row per pipeline or command run; a run is written when it starts
-- (status running) and again when it ends, with a higher version.
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id String,
    pipeline String,
    source String,
    started_at DateTime,
    finished_at DateTime,
    status String,
    records_read UInt64,
    new UInt64,
    updated UInt64,
    duplicates UInt64,
    quarantined UInt64,
    error String,
    checkpoint String,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(started_at)
ORDER BY (pipeline, run_id);

-- Where each pipeline has got to; advanced only after the data behind it
-- is committed.
CREATE TABLE IF NOT EXISTS checkpoints (
    pipeline String,
    checkpoint String,
    run_id String,
    updated_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY pipeline;

-- Records that could not be read: kept whole with where they came from and
-- why, so that they can be looked at and replayed.
CREATE TABLE IF NOT EXISTS quarantine (
    source String,
    origin String,
    position String,
    reason String,
    record String,
    run_id String,
    quarantined_at DateTime
) ENGINE = ReplacingMergeTree(quarantined_at)
PARTITION BY source
ORDER BY (source, origin, position);
