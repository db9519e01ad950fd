#!/usr/bin/env bash
# Ensure a Java runtime for PySpark's local mode (tests/test_engines.py, benchmarks/bench_scale.py):
# Debian's openjdk-17-jre-headless when `java` is missing. Idempotent: prints nothing and exits 0 when
# java is already on PATH (or JAVA_HOME points at one).
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have java || { [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; }; then
    exit 0
fi

bash "$(dirname "$0")/apt-install.sh" java-setup openjdk-17-jre-headless

if ! have java; then
    echo "java-setup: apt-get finished but java is still missing" >&2
    exit 1
fi
echo "java-setup: installed $(java -version 2>&1 | head -n1)"
