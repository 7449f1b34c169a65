#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest code-server whose engines allow Node 20)
# from npm into .e2e/code-server, offline except for the npm registry and Debian apt.
# Usage: test/e2e/install-code-server.sh [DEST]     (default: <repo>/.e2e/code-server)
#
# The four workarounds (see ../shared/recipes/real-editor-testing/README.md, all seen on Debian 12):
#  1. code-server's postinstall refuses to run as root without npm_config_unsafe_perm=true;
#  2. kerberos (in lib/vscode) builds from source and needs gssapi headers: apt libkrb5-dev;
#  3. @vscode/ripgrep downloads rg from api.github.com: its cache is pre-seeded with Debian's rg 13.0.0;
#  4. node-pty's postinstall runs `npx node-gyp`, which ~/.npmrc `yes=false` cancels: --yes.
# It installs no system package: a missing one (libkrb5-dev, ripgrep, a compiler) is named, with the
# apt-get command, and the script exits 2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
DEST=${1:-$repo/.e2e/code-server}
CS_VERSION=${CS_VERSION:-4.100.3}
RG_PKG_VERSION=${RG_PKG_VERSION:-1.15.11}   # @vscode/ripgrep pinned in code-server 4.100.3's lib/vscode
RG_PREBUILT=${RG_PREBUILT:-v13.0.0-10}      # the VERSION constant in @vscode/ripgrep/lib/postinstall.js

# code-server writes ~/.config/code-server/config.yaml on any start, --version included: not here.
export XDG_CONFIG_HOME="${XDG_CONFIG_HOME:-$(mktemp -d)}" XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
if [ -x "$DEST/node_modules/.bin/code-server" ] && "$DEST/node_modules/.bin/code-server" --version 2>/dev/null | grep -q "^$CS_VERSION "; then
  echo "code-server $CS_VERSION already installed in $DEST"
  exit 0
fi

# The Debian packages this needs are checked, never installed, here (test/e2e/systemPackages.mjs
# installs them under CI=true only, and only those that are missing).
if ! node "$here/systemPackages.mjs" code-server; then
  echo "install-code-server: install the packages above first" >&2
  exit 2
fi

tmp=${TMPDIR:-/tmp}
cache="$tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
asset="$cache/ripgrep-$RG_PREBUILT-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$asset" ]; then
  mkdir -p "$cache"; d=$(mktemp -d); cp "$(command -v rg)" "$d/rg"; tar czf "$asset" -C "$d" rg; rm -rf "$d"
fi

mkdir -p "$DEST"; cd "$DEST"
[ -f package.json ] || echo '{"name":"pinscope-e2e-code-server","private":true}' > package.json
npm_config_unsafe_perm=true npm install --no-audit --no-fund --save-exact --unsafe-perm --yes "code-server@$CS_VERSION"
"$DEST/node_modules/.bin/code-server" --version
