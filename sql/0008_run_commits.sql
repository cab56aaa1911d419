-- Ingestion runs that ended cleanly. A DECP run streams its rows through
-- INSERTs kept open between commits, and a run that stops midway may
-- leave contracts rows without their side rows (ClickHouse 18.16 writes
-- what it received of an INSERT whose connection drops). A later run
-- trusts a stored contract only when the run that wrote it is here, and
-- writes the others again (same version: the rows replace each other).
CREATE TABLE IF NOT EXISTS run_commits (
    run_id String,
    source String,
    committed_at DateTime
) ENGINE = ReplacingMergeTree(committed_at)
ORDER BY run_id;

-- The contracts stored before this table existed were written batch by
-- batch, side rows first: their runs are trusted.
INSERT INTO run_commits (run_id, source, committed_at)
SELECT run_id, any(source), max(ingested_at) FROM contracts GROUP BY run_id;
