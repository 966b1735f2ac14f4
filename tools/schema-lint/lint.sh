#!/usr/bin/env bash
# Checks that every type, field, argument, input field and enum value of the
# GraphQL schema (graph/*.graphqls) carries a description: the schema is the
# front-end's manual. Only graphql-schema-linter's description rules run.
#
# Usage: tools/schema-lint/lint.sh   (from anywhere; installs the pinned linter
# from package-lock.json on first use)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ ! -x "$here/node_modules/.bin/graphql-schema-linter" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

rules=types-have-descriptions,fields-have-descriptions,arguments-have-descriptions,input-object-values-have-descriptions,enum-values-have-descriptions

cd "$root"
shopt -s nullglob
files=(graph/*.graphqls)
if (( ${#files[@]} == 0 )); then
  echo "schema-lint: no graph/*.graphqls files found under $root" >&2
  exit 1
fi

# All files in one run: they extend Query and Mutation across files, and the
# linter merges the files it is given into one schema.
exec "$here/node_modules/.bin/graphql-schema-linter" \
  --config-directory "$here" \
  --format text \
  --rules "$rules" \
  "${files[@]}"
