#!/bin/sh
# Run once by the postgres image when it creates the database: the role web, worker and beat connect as. It owns no
# table; `manage.py grant_app_role phb_app` (the migrate service, as the owner) grants it what the app needs.
set -eu
psql -v ON_ERROR_STOP=1 -v password="$PHB_APP_DB_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE phb_app LOGIN PASSWORD :'password';
SQL
