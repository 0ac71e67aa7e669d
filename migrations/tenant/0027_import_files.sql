-- Uploaded import files live in the database, so any API process can receive a file and any
-- worker read it: no folder shared between machines. A file is stored in chunks of about 1 MiB,
-- each written in a short transaction of its own, so neither the upload nor the worker's read
-- holds a large value (or a connection for the whole upload) in one piece.
CREATE TABLE import_files (
  file_id uuid NOT NULL,
  seq integer NOT NULL CHECK (seq >= 0),
  data bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (file_id, seq)
);
-- Housekeeping finds files left by an interrupted upload (no import took them) by age.
CREATE INDEX import_files_created_at ON import_files (created_at);
