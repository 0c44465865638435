#!/usr/bin/env bash
# vodfkit as another project uses it (issue 26): the committed tree is tagged in a scratch git
# repository and Tests/LibraryClient is built against it as a *versioned* dependency (from: a tag),
# which is how SwiftPM treats a package from a registry or a URL. SwiftPM refuses such a dependency
# when a target it builds has unsafe flags (a path dependency would be let through), so a build
# that succeeds shows there are none. The client then converts and validates two TestData files
# through the library alone.
#   scripts/library-client.sh            (make test runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${LIBRARY_CLIENT_DIR:-$repo/.build/library-client}
rm -rf "$work/vodfkit" "$work/client/Sources"
mkdir -p "$work/vodfkit" "$work/client/Sources"

# The tracked files as they are in the work tree (uncommitted edits included), as one tagged commit.
git ls-files -z | (cd "$repo" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$work/vodfkit"
(cd "$work/vodfkit" && git init -q && git add -A && git -c user.name=vodfkit -c user.email=vodfkit@localhost \
  commit -qm "library-client snapshot" && git tag 0.1.0)

cp -r Tests/LibraryClient/Sources/vodfkit-client "$work/client/Sources/"
sed -e "s|.package(name: \"vodfkit\", path: \"../..\")|.package(url: \"file://$work/vodfkit\", from: \"0.1.0\")|" \
  Tests/LibraryClient/Package.swift > "$work/client/Package.swift"
grep -q "from: \"0.1.0\"" "$work/client/Package.swift"
# A new snapshot carries the same tag: forget the checkout of the last one (the build products stay).
rm -rf "$work/client/.build/checkouts" "$work/client/.build/repositories" "$work/client/.build/workspace-state.json" \
  "$work/client/Package.resolved"

bin=$work/client/.build/debug/vodfkit-client
rm -f "$bin"
echo "library-client: building Tests/LibraryClient against vodfkit 0.1.0 (a versioned dependency)"
(cd "$work/client" && swift build --disable-dependency-cache 2>&1 | grep -E "error|unsafe|Build complete" | tail -5)

[ -x "$bin" ] || { echo "library-client: the client did not build"; exit 1; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
"$bin" TestData/antares/sample_public.dat "$out/events.fits"
"$bin" TestData/km3net/aeff_coszen_sample.csv "$out/aeff.fits"
echo "library-client: 2 files converted and validated through the library"
