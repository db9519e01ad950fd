#!/usr/bin/env bash
# mlkit's whole test suite, exactly as CI runs it (.ci/run calls this script).
#
#   bash tools/test.sh           # everything: hygiene, nbdev_test, pytest (incl. slow and browser
#                                # tests) with every extra, then nbdev_test and the fast pytest tests
#                                # again in a lean pandas-3 env (the slow tests run once, in the full env:
#                                # the lean pass is about pandas 3, and its notebooks run the pipeline too)
#   bash tools/test.sh --quick   # hygiene, nbdev_test and the fast pytest tests, full env only
#
# Environments: .venv-test (all extras + dev) and .venv-lean (newest pandas and numpy; the dev, serve and duckdb
# extras; no profiling or spark extra). Override the folders with MLKIT_VENV / MLKIT_LEAN_VENV.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
PY=${PYTHON:-python3}
VENV=${MLKIT_VENV:-$ROOT/.venv-test}
LEAN=${MLKIT_LEAN_VENV:-$ROOT/.venv-lean}
RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT

step() { printf '\n==> %s\n' "$*"; }

make_env() { # make_env DIR PIP-ARGS...
  local dir=$1; shift
  [[ -x "$dir/bin/python" ]] || "$PY" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check -U pip
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
  # rfc3987-syntax (pulled in by jupyter-events through jsonschema[format-nongpl]) compiles ~35 Earley
  # parsers when jsonschema is imported: 3 s in every process that imports altair, nbformat or a kernel
  # (python-jsonschema/jsonschema#1428). Nothing here validates IRI formats; without it the suite runs
  # about 40% faster (3 pipeline tests: 122 s -> 70 s). jsonschema skips the iri check when it is absent.
  "$dir/bin/python" -m pip uninstall -q -y rfc3987-syntax 2>/dev/null || true
}

step "full environment ($VENV): mlkit with every extra"
make_env "$VENV" -e ".[all,dev]"
if [[ $QUICK == 0 ]]; then # the lean env installs in the background while the full env tests run
  (make_env "$LEAN" -e ".[dev,serve,duckdb]" "pandas>=3" "numpy>=2.3") >"$RESULTS/lean-install.log" 2>&1 &
  LEAN_PID=$!
fi
export PATH="$VENV/bin:$PATH"
python -c 'import mlkit, pandas, sys; print("mlkit", mlkit.__version__, "| pandas", pandas.__version__, "| python", sys.version.split()[0])'

step "hygiene: nbdev_export and nbdev_clean leave no diff, README in step, ruff"
bash tools/hygiene.sh

step "nbdev_test over nbs/"
nbdev_test --n_workers 2 --timing

summarise() { # print the pytest summary line of a junit file
  python - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
s = r if r.tag == "testsuite" else r.find("testsuite")
t, f, e, sk = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
print(t - f - e - sk, f + e, sk)
PY
}

MARK=()
[[ $QUICK == 1 ]] && MARK=(-m "not slow and not browser")
step "pytest over tests/ (full environment${MARK:+, quick})"
if [[ $QUICK == 0 ]]; then bash tools/browser-setup.sh; bash tools/java-setup.sh; fi
python -m pytest tests "${MARK[@]}" -p no:cacheprovider --junitxml="$RESULTS/full.xml" -q --timeout=900 --durations=15
read -r P F S < <(summarise "$RESULTS/full.xml")

if [[ $QUICK == 0 ]]; then
  step "lean environment ($LEAN): newest pandas and numpy, no profiling extra"
  if ! wait "$LEAN_PID"; then cat "$RESULTS/lean-install.log"; echo "lean environment: install failed" >&2; exit 1; fi
  "$LEAN/bin/python" -c 'import pandas, numpy; print("pandas", pandas.__version__, "| numpy", numpy.__version__)'
  (export PATH="$LEAN/bin:$PATH"; nbdev_test --n_workers 2)
  "$LEAN/bin/python" -m pytest tests -m "not slow and not browser and not once" -p no:cacheprovider --junitxml="$RESULTS/lean.xml" -q -rs --timeout=900 --durations=15
  read -r P2 F2 S2 < <(summarise "$RESULTS/lean.xml")
  P=$((P + P2)); F=$((F + F2)); S=$((S + S2))
fi

echo
echo "total: $P passed, $F failed, $S skipped"
