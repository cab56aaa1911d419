-- Suppliers as the reference sources know them: one row per SIREN and
-- source (the newest file wins), with the unit's name, state and legal
-- category. It tells a SIREN that no source knows (class "unknown") from
-- one that is known and in no class. Kept narrow: the SIRENE stock alone
-- is some 30 million units.
CREATE TABLE IF NOT EXISTS suppliers (
    siren String,
    source String,
    name String,
    active Nullable(UInt8),
    legal_category String,
    known_on Date,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (siren, source);

-- What the reference sources say of a SIREN's classes, one row per fact
-- ('ess', 'siae', 'ea', 'esat', 'societe_mission'; value 1 yes, 0 no),
-- with the kind (SIAE kind, ea/eatt, esat), the source and the date the
-- source knew it (known_on). A newer file that says the same thing on the
-- same date replaces the row (same key: siren, class, source, siret,
-- kind, known_on); a change in a later file adds a row with its own date,
-- so the history a source gives is kept and a contract can be classified
-- as of its own date.
CREATE TABLE IF NOT EXISTS supplier_facts (
    siren String,
    siret String,
    class String,
    value UInt8,
    kind String,
    source String,
    known_on Date,
    origin String,
    position String,
    run_id String,
    ingested_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (siren, class, source, siret, kind, known_on);
