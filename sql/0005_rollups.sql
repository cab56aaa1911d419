-- Derived tables for the query API (internal/store/indicators.go,
-- rollups.go). They hold nothing that is not in contracts: RefreshRollups
-- rebuilds both from the current version of every contract and swaps them
-- in, and records in rollup_state which contracts data they were built
-- from. While contracts has changed since (a re-ingestion), the API reads
-- contracts directly (de-duplicated), so answers are never stale.

-- One row per contract (current version) with every indicator flag
-- (_decl: declared yes, _unk: declared not given, _det: detected) and the
-- amount of the flagged contracts (0 when the amount is unknown).
CREATE TABLE IF NOT EXISTS contract_facts (
    buyer_siret String,
    buyer_siren String,
    buyer_name String,
    contract_id String,
    notification_date Nullable(Date),
    month UInt32,
    departement String,
    region String,
    cpv String,
    cpv_division String,
    procedure String,
    nature String,
    theme String,
    source String,
    amount_value Nullable(Float64),
    contracts UInt8,
    amount_sum Float64,
    amount_known UInt8,
    social_decl UInt8,
    social_unk UInt8,
    social_det UInt8,
    social_decl_amount Float64,
    social_det_amount Float64,
    social_clause_decl UInt8,
    social_clause_unk UInt8,
    social_clause_det UInt8,
    social_clause_decl_amount Float64,
    social_clause_det_amount Float64,
    social_criterion_decl UInt8,
    social_criterion_unk UInt8,
    social_criterion_det UInt8,
    social_criterion_decl_amount Float64,
    social_criterion_det_amount Float64,
    reserved_decl UInt8,
    reserved_unk UInt8,
    reserved_det UInt8,
    reserved_decl_amount Float64,
    reserved_det_amount Float64,
    env_decl UInt8,
    env_unk UInt8,
    env_det UInt8,
    env_decl_amount Float64,
    env_det_amount Float64,
    env_clause_decl UInt8,
    env_clause_unk UInt8,
    env_clause_det UInt8,
    env_clause_decl_amount Float64,
    env_clause_det_amount Float64,
    env_criterion_decl UInt8,
    env_criterion_unk UInt8,
    env_criterion_det UInt8,
    env_criterion_decl_amount Float64,
    env_criterion_det_amount Float64
) ENGINE = MergeTree
ORDER BY (buyer_siren, buyer_siret, contract_id);

-- Sums of contract_facts per month (0 = no notification date),
-- departement, region, theme and source: the year/month trends and
-- territorial breakdowns read a few thousand rows instead of millions.
CREATE TABLE IF NOT EXISTS contract_rollup (
    month UInt32,
    departement String,
    region String,
    theme String,
    source String,
    contracts UInt64,
    amount_sum Float64,
    amount_known UInt64,
    social_decl UInt64,
    social_unk UInt64,
    social_det UInt64,
    social_decl_amount Float64,
    social_det_amount Float64,
    social_clause_decl UInt64,
    social_clause_unk UInt64,
    social_clause_det UInt64,
    social_clause_decl_amount Float64,
    social_clause_det_amount Float64,
    social_criterion_decl UInt64,
    social_criterion_unk UInt64,
    social_criterion_det UInt64,
    social_criterion_decl_amount Float64,
    social_criterion_det_amount Float64,
    reserved_decl UInt64,
    reserved_unk UInt64,
    reserved_det UInt64,
    reserved_decl_amount Float64,
    reserved_det_amount Float64,
    env_decl UInt64,
    env_unk UInt64,
    env_det UInt64,
    env_decl_amount Float64,
    env_det_amount Float64,
    env_clause_decl UInt64,
    env_clause_unk UInt64,
    env_clause_det UInt64,
    env_clause_decl_amount Float64,
    env_clause_det_amount Float64,
    env_criterion_decl UInt64,
    env_criterion_unk UInt64,
    env_criterion_det UInt64,
    env_criterion_decl_amount Float64,
    env_criterion_det_amount Float64
) ENGINE = MergeTree
ORDER BY (month, departement, region, theme, source);

-- Which state of the contracts table the derived tables were built from:
-- signature lists, per partition, the newest block number of its active
-- parts (a merge keeps it, an insert raises it).
CREATE TABLE IF NOT EXISTS rollup_state (
    name String,
    signature String,
    refreshed_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY name;
