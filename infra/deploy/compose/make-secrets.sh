#!/bin/sh
# Creates the secret files of the on-premises compose file in ./secrets (git-ignored):
# a random PostgreSQL password and the DATABASE_URL using it, an Ed25519 JWT signing key and a
# secrets-at-rest key. Existing files are kept (rotating is a deliberate act). The SMTP URL is
# the hospital's: write it to secrets/smtp_url yourself (smtp://user:pass@mail.example:587).
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
[ -s secrets/postgres_password ] || openssl rand -hex 24 > secrets/postgres_password
[ -s secrets/database_url ] ||
  printf 'postgres://medstock:%s@postgres:5432/medstock\n' "$(cat secrets/postgres_password)" > secrets/database_url
[ -s secrets/jwt_private_key ] || openssl genpkey -algorithm ed25519 -out secrets/jwt_private_key
[ -s secrets/secrets_keys ] || printf 'k1:%s\n' "$(openssl rand -base64 32)" > secrets/secrets_keys
[ -s secrets/smtp_url ] || echo "secrets/smtp_url is missing: write the SMTP URL of your mail server into it" >&2
# Compose mounts these files as they are, and the containers read them as their own users (node,
# postgres): the folder is private to you (700), the files readable inside the containers (444).
chmod 700 secrets
chmod 444 secrets/*
ls -l secrets
