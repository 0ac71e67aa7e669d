-- An uploaded file is known by its content (SHA-256), so the same history file uploaded twice is
-- refused before it runs, not discovered later as doubled demand. A failed import does not count:
-- the file may be fixed and sent again, or sent again unchanged after the cause was fixed.
ALTER TABLE import_jobs ADD COLUMN sha256 text;
-- How the bytes of a CSV are to be read: 'auto' (UTF-8 when valid, else GB18030), or as chosen.
ALTER TABLE import_jobs ADD COLUMN encoding text NOT NULL DEFAULT 'auto'
  CHECK (encoding IN ('auto', 'utf-8', 'gb18030', 'utf-16le'));
-- The encoding the worker read the file in (the chosen one, or what detection found).
ALTER TABLE import_jobs ADD COLUMN detected_encoding text;
-- One live or successful import per kind and content: concurrent uploads of the same file race
-- on this index, and the loser is told which import already has it.
CREATE UNIQUE INDEX import_jobs_same_file ON import_jobs (kind, sha256)
  WHERE sha256 IS NOT NULL AND status <> 'failed';
