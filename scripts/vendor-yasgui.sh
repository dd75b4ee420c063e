#!/usr/bin/env bash
# Vendor YASGUI (the SPARQL editor and result viewer of `kg serve`'s query page) into
# kg/serve/static/yasgui/, so that the page needs no CDN and works with the network off.
#
# To refresh: change VERSION below, run `bash scripts/vendor-yasgui.sh`, open `kg serve` in a
# browser, run the browser tests (tests/test_browser.py), and commit the four files.
# It takes the package from the npm registry with `npm pack` (the ordinary client) and keeps only
# the built bundle and its stylesheet; npm's tarball ships no LICENSE file, so LICENSE is written
# from the licence its package.json declares (MIT).
set -euo pipefail
VERSION=4.6.2
cd "$(dirname "$0")/.."
dest=kg/serve/static/yasgui
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@zazuko/yasgui@$VERSION" >/dev/null && tar xzf zazuko-yasgui-"$VERSION".tgz)
pkg="$work/package"
licence=$(node -p "require('$pkg/package.json').license")
[ "$licence" = MIT ] || { echo "vendor-yasgui: @zazuko/yasgui $VERSION declares licence $licence, not MIT: check it" >&2; exit 1; }
mkdir -p "$dest"
# The bundle's last line names its source map, which is not vendored: drop that line.
sed '/^\/\/# sourceMappingURL=/d' "$pkg/build/yasgui.min.js" > "$dest/yasgui.min.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$pkg/build/yasgui.min.css" > "$dest/yasgui.min.css"
printf '@zazuko/yasgui %s\n' "$VERSION" > "$dest/VERSION"
cat > "$dest/LICENSE" <<LIC
@zazuko/yasgui $VERSION (https://github.com/rdfjs/Yasgui), vendored by scripts/vendor-yasgui.sh.
Its package.json declares the MIT licence; its authors: Triply <info@triply.cc>, Zazuko GmbH and
contributors. The bundle includes its dependencies (CodeMirror, DataTables, DOMPurify, lodash,
and others), each under the MIT, BSD or Apache-2.0 licence its own package declares.

MIT License

Copyright (c) Triply B.V., Zazuko GmbH and contributors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LIC
echo "vendor-yasgui: @zazuko/yasgui $VERSION in $dest ($(du -sh "$dest" | cut -f1))"
