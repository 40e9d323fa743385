#!/usr/bin/env bash
# Installs what building conform needs and a fresh machine lacks: Debian's liblz4-dev (the log's
# compression) and libxxhash-dev (its checksums). With --tests, also the pinned Python packages of
# the end-to-end suite. Sourced or run by scripts/serve.sh and scripts/test-all.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
for pkg in liblz4-dev libxxhash-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >&2
fi

if [ "${1:-}" = "--tests" ]; then
    # Pinned so that the generated shapes match the model they came from.
    python3 -m pip install -q --disable-pip-version-check -r Tests/e2e/requirements.txt
fi
