-- Issue 16, "dead letters amplify": a 10 MB record was stored whole. A dead letter now keeps at
-- most 64 KiB of its (redacted) record; for a cut one, raw_bytes is the length of the whole record
-- as received and raw_sha256 its SHA-256 (hex), so the original can be found upstream. Both are 0
-- and '' for records kept whole.
ALTER TABLE {{database}}.dead_letters
    ADD COLUMN IF NOT EXISTS raw_bytes UInt64 DEFAULT 0 AFTER raw,
    ADD COLUMN IF NOT EXISTS raw_sha256 String DEFAULT '' AFTER raw_bytes;
