-- DECP awarded contracts (marchés and contrats de concession).
-- Identity: buyer SIRET + contract id (uid). version orders publications:
-- the latest publication wins. partition_year is the notification year
-- seen when the contract was first stored (0 when unknown) and is kept for
-- every later version, so that versions of one contract share a partition.
-- Partitions are decades of it: every insert writes one part per partition
-- its rows fall in, and a batch of contracts spans some 25 years (a part
-- per year cost the server ~45% more CPU per record than a part per decade).
-- key_hash is xxhash64(buyer_siret NUL contract_id): the ingestion looks
-- existing rows up by it in large batches (a UInt64 IN set is cheap to
-- scan, a tuple of strings is not). run_id names the run that wrote the
-- row, so that a contract repeated inside one input counts once.
CREATE TABLE IF NOT EXISTS contracts (
    uid String,
    buyer_siret String,
    buyer_siren String,
    buyer_name String,
    contract_id String,
    key_hash UInt64,
    kind String,
    nature String,
    object String,
    cpv String,
    cpv_division String,
    theme String,
    procedure String,
    place_code String,
    place_code_type String,
    place_name String,
    departement String,
    region String,
    duration_months Nullable(Float64),
    notification_date Nullable(Date),
    publication_date Nullable(Date),
    amount Nullable(Float64),
    initial_amount Nullable(Float64),
    price_form String,
    techniques Array(String),
    execution_modalities Array(String),
    declared_social_clause Nullable(UInt8),
    declared_social_criterion Nullable(UInt8),
    declared_reserved Nullable(UInt8),
    declared_env_clause Nullable(UInt8),
    declared_env_criterion Nullable(UInt8),
    declared_raw Array(String),
    detected_labels Array(String),
    detector_version UInt32,
    quality_flags Array(String),
    schema_version String,
    source String,
    origin String,
    position String,
    content_hash UInt64,
    partition_year UInt16,
    version UInt64,
    run_id String,
    ingested_at DateTime
) ENGINE = ReplacingMergeTree(version)
PARTITION BY intDiv(partition_year, 10)
ORDER BY (buyer_siret, contract_id);

-- The side tables below (holders, sub-contracting acts, modifications,
-- sources) have no partitions: the rows of one identity always meet in
-- the one partition, and each insert makes one part per table instead of
-- one per notification year (about 25), which the server pays for at the
-- insert and again in merges. partition_year is kept as a column.

-- Holders of a contract, per version of the contract: read them with the
-- contract's current version.
CREATE TABLE IF NOT EXISTS contract_holders (
    uid String,
    buyer_siret String,
    contract_id String,
    contract_version UInt64,
    idx UInt16,
    holder_type String,
    holder_id String,
    holder_name String,
    partition_year UInt16
) ENGINE = ReplacingMergeTree(contract_version)
ORDER BY (buyer_siret, contract_id, contract_version, idx);

-- Sub-contracting acts (actes de sous-traitance) of a contract version,
-- as holders are: read them with the contract's current version.
CREATE TABLE IF NOT EXISTS contract_subcontracts (
    uid String,
    buyer_siret String,
    contract_id String,
    contract_version UInt64,
    act_id String,
    subcontractor_type String,
    subcontractor_id String,
    subcontractor_name String,
    duration_months Nullable(Float64),
    notification_date Nullable(Date),
    amount Nullable(Float64),
    price_variation String,
    partition_year UInt16
) ENGINE = ReplacingMergeTree(contract_version)
ORDER BY (buyer_siret, contract_id, contract_version, act_id);

-- Modifications, kept as history (one row per modification).
CREATE TABLE IF NOT EXISTS contract_modifications (
    uid String,
    buyer_siret String,
    contract_id String,
    modification_id String,
    object String,
    signature_date Nullable(Date),
    publication_date Nullable(Date),
    amount Nullable(Float64),
    duration_months Nullable(Float64),
    holders Array(String),
    partition_year UInt16,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (buyer_siret, contract_id, modification_id);

-- Every source file and channel that carried a contract (provenance).
CREATE TABLE IF NOT EXISTS contract_sources (
    uid String,
    buyer_siret String,
    contract_id String,
    source String,
    origin String,
    position String,
    publication_date Nullable(Date),
    content_hash UInt64,
    seen_at DateTime,
    partition_year UInt16
) ENGINE = ReplacingMergeTree(seen_at)
ORDER BY (buyer_siret, contract_id, source, origin, content_hash);
