-- Tenant placement on database cells (issue 12.3). A cell is one PostgreSQL cluster holding tenant
-- schemas. The control database is itself cell 'main', so a single-database install is unchanged.
-- No connection secrets are stored here: a cell's URL comes from the environment variable named
-- in url_env (CELL_<NAME>_URL by default); 'main' always uses DATABASE_URL.
create table control.cells (
  name text primary key check (name ~ '^[a-z][a-z0-9_]{0,30}$'),
  url_env text check (url_env ~ '^[A-Z_][A-Z0-9_]*$'),
  -- New organisations go to DEFAULT_CELL; a draining cell is refused as a move target.
  accepts_tenants boolean not null default true,
  created_at timestamptz not null default now()
);
insert into control.cells (name, url_env) values ('main', 'DATABASE_URL');

alter table control.organizations add column cell text not null default 'main' references control.cells (name);
create index organizations_cell_idx on control.organizations (cell);

-- One row per move. The old copy is kept, renamed to retired_schema, until drop_after; the
-- switch itself is the update of organizations.cell.
create table control.tenant_moves (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references control.organizations (id) on delete cascade,
  from_cell text not null references control.cells (name),
  to_cell text not null references control.cells (name),
  status text not null check (status in ('copying', 'switched', 'finished', 'failed')),
  -- Per table: rows and checksum, equal on both cells or the move does not switch.
  verified jsonb,
  retired_schema text,
  drop_after timestamptz,
  error text,
  started_at timestamptz not null default now(),
  switched_at timestamptz,
  finished_at timestamptz
);
-- At most one unfinished move per organisation.
create unique index tenant_moves_one_open on control.tenant_moves (organization_id) where status = 'copying';
