"A pipeline step names a Parquet folder as its data (issue 15 point 7): it runs lazily on the folder, and the step cache sees a changed file."

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_pipeline import toy_project  # noqa: E402

from mlkit.frame import ProblemSpec  # noqa: E402
from mlkit.pipeline import run  # noqa: E402

CHECK = (
    "from mlkit.checks import check\nfrom mlkit.pipeline import StepOutputs\n\nout = StepOutputs(output_dir)\nr = check(data_path)\n"
    "out.save_metrics(headline={'metric': 'rows', 'value': float(r.meta['rows']), 'score_to_beat': 1.0, 'beats': True}, rows=r.meta['rows'], engine=r.meta['engine'])"
)


def _write_parts(folder: Path, values: list) -> None:
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    for i, v in enumerate(values):
        pl.DataFrame({"x": [v, v + 1, v + 2], "y": [0, 1, 1]}).write_parquet(folder / f"part-{i}.parquet")


@pytest.mark.slow
def test_step_reads_a_parquet_folder_and_reruns_when_a_file_changes(tmp_path):
    root = toy_project(tmp_path / "p", body=CHECK, steps=("scan",))
    _write_parts(root / "data" / "parts", [1, 10])
    spec = ProblemSpec.load(root)
    spec.parameters = {"data_path": "data/parts"}
    spec.save(root)
    quiet = {"echo": lambda *a, **k: None}
    first = run(root, **quiet)
    assert first.ok, first.record.get("error")
    metrics = json.loads((first.path / "scan" / "metrics.json").read_text())
    assert metrics["rows"] == 6 and metrics["engine"] == "polars-lazy", metrics  # both files, scanned lazily
    assert run(root, **quiet).steps() == {"scan": "reused"}
    _write_parts(root / "data" / "parts", [1, 20])  # one file's content changes
    again = run(root, **quiet)
    assert again.ok and again.steps() == {"scan": "ok"}
