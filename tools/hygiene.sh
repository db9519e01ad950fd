#!/usr/bin/env bash
# Fails when the generated files are not in step with the notebooks:
# nbdev_export or nbdev_clean would change something, README.md is stale, or ruff complains.
# Works on a dirty work tree too: it compares snapshots, not git state.
set -euo pipefail
cd "$(dirname "$0")/.."
snap=$(mktemp -d)
trap 'rm -rf "$snap"' EXIT
cp -r mlkit nbs "$snap/"
nbdev_export
nbdev_clean
status=0
if ! diff -r -q -x __pycache__ -x '*.egg-info' "$snap/mlkit" mlkit; then
  echo "FAIL: nbdev_export changed mlkit/ (the package is not in step with nbs/): commit the exported files" >&2
  status=1
fi
if ! diff -r -q -x .ipynb_checkpoints "$snap/nbs" nbs; then
  echo "FAIL: nbdev_clean changed nbs/: run nbdev_clean and commit" >&2
  status=1
fi
python tools/make_readme.py --check || status=1
ruff check mlkit tests tools benchmarks nbs || status=1
ruff format --check tests tools benchmarks nbs || status=1
[[ $status == 0 ]] && echo "hygiene: ok"
exit $status
