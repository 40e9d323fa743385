#!/usr/bin/env bash
# Runs every test of conform on a fresh machine: installs what is missing, builds, runs the Swift
# suites, then the end-to-end suite (boto3 and the AWS CLI against the real `conform serve`).
set -euo pipefail
cd "$(dirname "$0")/.."

# System libraries and the Python side of the suite, when missing.
./scripts/bootstrap.sh --tests

python3 scripts/generate_shapes.py --check

swift build --build-tests
swift test --skip-build

CONFORM_BIN="$(swift build --show-bin-path)/conform" python3 -m pytest -q Tests/e2e
