#!/usr/bin/env bash
# The benchmark in one command: bench/run.sh [--smoke]. Builds the jar first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/user-service.jar ] || ./mvnw -q -B package -DskipTests
exec python3 bench/bench.py "$@"
