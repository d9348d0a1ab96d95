#!/usr/bin/env bash
# Copies the front-end packages Casus serves into api/assets/vendor, with
# their licences, from the versions package-lock.json pins. Run after
# changing package.json (npm install), and commit what it writes.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
out=../api/assets/vendor
rm -rf "$out"
mkdir -p "$out"
cp node_modules/@utrecht/component-library-css/dist/index.css "$out/utrecht-components.css"
cp node_modules/@utrecht/component-library-css/LICENSE.md "$out/utrecht-components.LICENSE.md"
cp node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css "$out/voorbeeld-theme.css"
cp node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/LICENSE.md "$out/voorbeeld-theme.LICENSE.md"
echo "vendored into api/assets/vendor:"
ls -l "$out"
