#!/usr/bin/env bash
# make install: the vodf binary (specs compiled in), its man page and its bash, zsh and fish
# completions under PREFIX. Nothing installed needs this repository or VODF_SPECS.
#   scripts/install.sh PREFIX [release|debug]     (debug reuses the test build; release is static)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:?usage: scripts/install.sh PREFIX [release|debug]}
config=${2:-release}
case $config in
  release) swift build -c release --static-swift-stdlib --product vodf 2>&1 | tail -1
           bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/vodf ;;
  debug)   swift build --product vodf 2>&1 | tail -1
           bin=$(swift build --show-bin-path)/vodf ;;
  *) echo "install: config must be release or debug, not '$config'" >&2; exit 2 ;;
esac
# swift-argument-parser's generate-manual (the tool behind its plugin), run on the built binary.
swift build --product generate-manual 2>&1 | tail -1
# A clean build names it generate-manual; one built for the plugin adds -tool. Either will do.
manual=$(swift build --show-bin-path)/generate-manual
[ -x "$manual" ] || manual=$manual-tool
[ -x "$manual" ] || { echo "install: generate-manual was not built (looked in $(swift build --show-bin-path))" >&2; exit 1; }

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
           "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 755 "$bin" "$prefix/bin/vodf.tmp" && mv "$prefix/bin/vodf.tmp" "$prefix/bin/vodf"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The page's date is the last commit's, so that two installs of one commit are identical.
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
"$manual" "$prefix/bin/vodf" --date "$date" --authors "vodfkit developers" --output-directory "$work" > /dev/null
# mdoc has no blank lines; the discussions' paragraph breaks become .Pp.
sed 's/^$/.Pp/' "$work/vodf.1" > "$prefix/share/man/man1/vodf.1"

"$prefix/bin/vodf" --generate-completion-script bash > "$prefix/share/bash-completion/completions/vodf"
"$prefix/bin/vodf" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_vodf"
"$prefix/bin/vodf" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/vodf.fish"
echo "installed vodf $("$prefix/bin/vodf" --version) into $prefix (bin, man page, bash/zsh/fish completions)"
