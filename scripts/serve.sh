#!/usr/bin/env bash
# Runs the main job on a fresh machine: installs what is missing, builds conform in release mode
# (about ten minutes the first time on two cores, seconds afterwards) and serves the AWS Config
# API on 127.0.0.1:4566 with its log under logs/. Arguments go to `conform serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
swift build -c release --product conform
exec .build/release/conform serve "$@"
