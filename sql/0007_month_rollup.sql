-- The smallest derived table of the query API: sums of contract_rollup per
-- month (0 = no notification date), theme and source only. The national
-- year/month trends (no territorial filter) read a few hundred rows here
-- instead of tens of thousands in contract_rollup. RefreshRollups rebuilds
-- it with the others, from the same data, and swaps all of them together.
CREATE TABLE IF NOT EXISTS contract_rollup_month (
    month UInt32,
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
ORDER BY (month, theme, source);
