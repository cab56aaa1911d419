-- The query API's derived tables, kept current incrementally
-- (internal/store/rollups.go) instead of rebuilt: they replace the tables
-- of 0005 and 0007, which hold nothing that is not in contracts.
--
-- Every row belongs to an epoch: one step of the maintainer, which reads
-- the contracts written since the last step, works out which contracts'
-- current version changed, and writes for each a retraction of the facts
-- row it had (every measure negated, contracts = -1) and the new facts
-- row (contracts = +1). rollup_commits records the epochs that completed;
-- readers sum the rows of committed epochs only (epoch <= the last one,
-- minus the aborted ones a crash left), so they see the last consistent
-- state, never a half-written step, and never wait for one. A sum of
-- signed rows under any filter on the facts columns equals the sum over
-- the current versions: a retraction carries the same values as the row
-- it cancels, so both match the filter or neither does.
DROP TABLE IF EXISTS contract_facts;
DROP TABLE IF EXISTS contract_rollup;
DROP TABLE IF EXISTS contract_rollup_month;
DROP TABLE IF EXISTS rollup_state;

-- One signed row per contribution of a contract version. The flags are
-- -1/0/+1; the indicator amounts are computed at read time from
-- amount_sum and the flags (sumIf), which keeps the rows narrow: an
-- ad hoc filter scans 31 bytes of measures per contract.
-- ORDER BY: the territorial and thematic filters the analysts use most
-- read a range instead of the table (measured in the note of issue 18).
CREATE TABLE IF NOT EXISTS contract_facts (
    epoch UInt64,
    key_hash UInt64,
    buyer_siret String,
    contract_id String,
    version UInt64,
    labels_hash UInt64,
    buyer_siren String,
    buyer_name String,
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
    contracts Int8,
    amount_sum Float64,
    amount_known Int8,
    social_decl Int8,
    social_unk Int8,
    social_det Int8,
    social_clause_decl Int8,
    social_clause_unk Int8,
    social_clause_det Int8,
    social_criterion_decl Int8,
    social_criterion_unk Int8,
    social_criterion_det Int8,
    reserved_decl Int8,
    reserved_unk Int8,
    reserved_det Int8,
    env_decl Int8,
    env_unk Int8,
    env_det Int8,
    env_clause_decl Int8,
    env_clause_unk Int8,
    env_clause_det Int8,
    env_criterion_decl Int8,
    env_criterion_unk Int8,
    env_criterion_det Int8
) ENGINE = MergeTree
ORDER BY (departement, theme, month);

-- Signed sums of contract_facts per epoch and (month, departement,
-- region, theme, source): each step adds the sums of its own rows.
CREATE TABLE IF NOT EXISTS contract_rollup (
    epoch UInt64,
    month UInt32,
    departement String,
    region String,
    theme String,
    source String,
    contracts Int64,
    amount_sum Float64,
    amount_known Int64,
    social_decl Int64,
    social_unk Int64,
    social_det Int64,
    social_decl_amount Float64,
    social_det_amount Float64,
    social_clause_decl Int64,
    social_clause_unk Int64,
    social_clause_det Int64,
    social_clause_decl_amount Float64,
    social_clause_det_amount Float64,
    social_criterion_decl Int64,
    social_criterion_unk Int64,
    social_criterion_det Int64,
    social_criterion_decl_amount Float64,
    social_criterion_det_amount Float64,
    reserved_decl Int64,
    reserved_unk Int64,
    reserved_det Int64,
    reserved_decl_amount Float64,
    reserved_det_amount Float64,
    env_decl Int64,
    env_unk Int64,
    env_det Int64,
    env_decl_amount Float64,
    env_det_amount Float64,
    env_clause_decl Int64,
    env_clause_unk Int64,
    env_clause_det Int64,
    env_clause_decl_amount Float64,
    env_clause_det_amount Float64,
    env_criterion_decl Int64,
    env_criterion_unk Int64,
    env_criterion_det Int64,
    env_criterion_decl_amount Float64,
    env_criterion_det_amount Float64
) ENGINE = MergeTree
ORDER BY (departement, theme, month, region, source);

-- The same per (month, theme, source): the national trends.
CREATE TABLE IF NOT EXISTS contract_rollup_month (
    epoch UInt64,
    month UInt32,
    theme String,
    source String,
    contracts Int64,
    amount_sum Float64,
    amount_known Int64,
    social_decl Int64,
    social_unk Int64,
    social_det Int64,
    social_decl_amount Float64,
    social_det_amount Float64,
    social_clause_decl Int64,
    social_clause_unk Int64,
    social_clause_det Int64,
    social_clause_decl_amount Float64,
    social_clause_det_amount Float64,
    social_criterion_decl Int64,
    social_criterion_unk Int64,
    social_criterion_det Int64,
    social_criterion_decl_amount Float64,
    social_criterion_det_amount Float64,
    reserved_decl Int64,
    reserved_unk Int64,
    reserved_det Int64,
    reserved_decl_amount Float64,
    reserved_det_amount Float64,
    env_decl Int64,
    env_unk Int64,
    env_det Int64,
    env_decl_amount Float64,
    env_det_amount Float64,
    env_clause_decl Int64,
    env_clause_unk Int64,
    env_clause_det Int64,
    env_clause_decl_amount Float64,
    env_clause_det_amount Float64,
    env_criterion_decl Int64,
    env_criterion_unk Int64,
    env_criterion_det Int64,
    env_criterion_decl_amount Float64,
    env_criterion_det_amount Float64
) ENGINE = MergeTree
ORDER BY (month, theme, source);

-- One row per completed epoch. watermark: the newest block number of the
-- contracts parts the step read (block numbers grow with every insert and
-- are kept by merges, so the next step reads only the parts above it);
-- signature: the per-partition form of it that ContractsState compares;
-- aborted: epochs whose rows a crash left half-written, never to be read;
-- as_of: when the step read the contracts (every contract stored before
-- it is counted).
CREATE TABLE IF NOT EXISTS rollup_commits (
    epoch UInt64,
    watermark UInt64,
    signature String,
    aborted Array(UInt64),
    as_of DateTime,
    committed_at DateTime,
    changed UInt64
) ENGINE = MergeTree
ORDER BY epoch;
