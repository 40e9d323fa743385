#!/usr/bin/env bash
# Runs every test of conform on a fresh machine: installs what is missing, builds, runs the Swift
# suites, then the end-to-end suite (boto3 and the AWS CLI against the real `conform serve`).
set -euo pipefail
cd "$(dirname "$0")/.."

# System libraries: liblz4 (required by the log) and libxxhash (batch checksums).
missing=()
for pkg in liblz4-dev libxxhash-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

# Python side of the suite, pinned so the generated shapes match the model they came from.
python3 -m pip install -q --disable-pip-version-check -r Tests/e2e/requirements.txt

python3 scripts/generate_shapes.py --check

swift build --build-tests
swift test --skip-build

CONFORM_BIN="$(swift build --show-bin-path)/conform" python3 -m pytest -q Tests/e2e
