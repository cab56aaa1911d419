-- Findings of the detector, one row per subject (notice, lot, contract)
-- and detection: the newest row of a subject is its current finding, so a
-- label a newer detector no longer finds disappears with it. Declared
-- (what the buyer ticked) and detected (what vigie read) sit side by side.
-- evidence.negative = 1 marks a structured or written "no" (e.g.
-- MARCHE_RESERVE_NON, "Pas de considération sociale"): that evidence
-- denies its label, it does not support it.
CREATE TABLE IF NOT EXISTS detections (
    subject_kind String,
    subject_id String,
    notice_id String,
    declared_labels Array(String),
    declared_negative Array(String),
    detected_labels Array(String),
    evidence Nested(
        label String,
        origin String,
        field String,
        text String,
        start UInt32,
        end UInt32,
        negative UInt8
    ),
    detector_version UInt32,
    detected_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY subject_kind
ORDER BY (subject_kind, subject_id);
