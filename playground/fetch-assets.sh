#!/usr/bin/env bash
# Fetches the GraphiQL playground's assets from the npm registry at pinned
# versions into playground/assets/, which the binary embeds (no CDN at run
# time). npm verifies each tarball against the registry's integrity hash;
# the sha256 sums below pin the exact files we ship. Run it to upgrade:
# change a version, run, review, update the sums.
set -euo pipefail
cd "$(dirname "$0")"
GRAPHIQL=3.9.0
REACT=18.3.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
for p in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT"; do
  mkdir -p "$tmp/$p" && tar -xzf "$tmp/$p.tgz" -C "$tmp/$p"
done
mkdir -p assets
cp "$tmp/graphiql-$GRAPHIQL/package/dist/index.umd.js" assets/graphiql.min.js
cp "$tmp/graphiql-$GRAPHIQL/package/dist/style.css" assets/graphiql.min.css
cp "$tmp/react-$REACT/package/umd/react.production.min.js" assets/
cp "$tmp/react-dom-$REACT/package/umd/react-dom.production.min.js" assets/
cp "$tmp/graphiql-$GRAPHIQL/package/LICENSE" assets/LICENSE.graphiql
cp "$tmp/react-$REACT/package/LICENSE" assets/LICENSE.react
if [ -f SHA256SUMS ] && [ "${UPDATE:-}" != 1 ]; then
  sha256sum -c SHA256SUMS
else
  sha256sum assets/*.js assets/*.css > SHA256SUMS
fi
