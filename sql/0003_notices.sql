-- BOAMP / eForms notices and their lots. Identity: notice_id (BOAMP idweb,
-- or the eForms notice id). A correction is a notice of its own (kind
-- correction, parent_notice_id the notice it corrects) and also rewrites
-- the corrected notice with a higher version: its id added to corrected_by,
-- its new deadline when it gives one. A cancellation sets cancelled on the
-- notice it cancels. Nothing is deleted. content_hash is the hash of the
-- parsed content: re-ingesting an unchanged notice writes nothing.
-- deadline is an instant in UTC (BOAMP's offset-carrying value, or Paris
-- local time when none is given).
CREATE TABLE IF NOT EXISTS notices (
    notice_id String,
    source String,
    format String,
    kind String,
    family String,
    publication_date Date,
    deadline Nullable(DateTime),
    buyer_name String,
    buyer_siret String,
    departements Array(String),
    cpv Array(String),
    descriptors Array(String),
    market_type String,
    procedure String,
    object String,
    execution_conditions String,
    participation_conditions String,
    award_criteria String,
    additional_info String,
    url String,
    parent_notice_id String,
    contract_folder_id String,
    cancelled UInt8,
    corrected_by Array(String),
    winners Array(String),
    declared_labels Array(String),
    declared_negative Array(String),
    detected_labels Array(String),
    detector_version UInt32,
    origin String,
    position String,
    content_hash UInt64,
    version UInt64,
    ingested_at DateTime
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(publication_date)
ORDER BY notice_id;

-- Lots are written with the version of their notice: the current lots of a
-- notice are those whose version is the notice's current version (a new
-- version with fewer lots leaves the old rows behind, at an older version).
CREATE TABLE IF NOT EXISTS lots (
    notice_id String,
    lot_number String,
    title String,
    description String,
    cpv Array(String),
    reserved Nullable(UInt8),
    execution_conditions String,
    award_criteria String,
    declared_labels Array(String),
    declared_negative Array(String),
    detected_labels Array(String),
    publication_date Date,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(publication_date)
ORDER BY (notice_id, lot_number);
