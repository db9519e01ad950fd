#!/usr/bin/env bash
# Ensure a Java runtime for PySpark's local mode (tests/test_engines.py, benchmarks/bench_scale.py):
# Debian's openjdk-17-jre-headless when `java` is missing. Idempotent: prints nothing and exits 0 when
# java is already on PATH (or JAVA_HOME points at one).
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have java || { [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; }; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif have sudo && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "java-setup: java is missing and this user cannot install packages (need root or passwordless sudo)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
install() { $SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null; }
if ! install 2>/dev/null; then
    $SUDO apt-get update -qq >/dev/null
    install
fi

if ! have java; then
    echo "java-setup: apt-get finished but java is still missing" >&2
    exit 1
fi
echo "java-setup: installed $(java -version 2>&1 | head -n1)"
