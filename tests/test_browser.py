"""mlkit's widgets and plain chart outputs in a real JupyterLab, in Debian's Chromium, with every non-local request blocked.

The test installs Chromium through `tools/browser-setup.sh` (Debian packages; never `playwright install`),
starts JupyterLab on 127.0.0.1 with a random token, opens a notebook that builds each board on the demo data,
runs it, interacts with every board, and checks that the page changed, that the charts drew SVG marks (so the
offline JavaScript worked: nothing could be fetched) and that no cell shows an error. A second notebook
calls every chart-returning function (report.chart(), baseline.chart(), sanity.chart(), explain(...).charts(),
profile and comparison charts, a composed chart) with the default renderer and checks that each output drew. Screenshots go to
`tests/artifacts/browser/` (or `$MLKIT_ARTIFACTS`); look at them.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("MLKIT_ARTIFACTS", ROOT / "tests" / "artifacts")) / "browser"

CELLS = [
    "import mlkit\nfrom sklearn.impute import SimpleImputer\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import StandardScaler\n\n"
    "demo = mlkit.load_demo()\ntarget = mlkit.datasets.DEMO_TARGET",
    "checks = mlkit.check(demo, target=target)\nboard = checks.widget()  # the full board: the report remembers demo\nboard",
    "profile_board = mlkit.explore_profile(demo, target=target)\nprofile_board",
    'reference, current = demo[demo["studyName"] == "PAL0708"], demo[demo["studyName"] != "PAL0708"]\n'
    "compare_board = mlkit.compare_board(reference, current, target=target)\ncompare_board",
    "baselines = mlkit.baseline(demo, target, cv=3)\nbaselines.widget()",
    'sexed = demo[demo[target].isin(["MALE", "FEMALE"])]\n'
    'X = sexed[["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]]\n'
    "tuner = mlkit.threshold_tuner(make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()), X, sexed[target], cost_fp=1, cost_fn=5)\n"
    "tuner",
]

# Every call that returns a chart, each shown with Altair's default renderer (no renderer enabled): each must draw offline
OUTPUT_CELLS = [
    "import mlkit\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.pipeline import make_pipeline\n"
    "from sklearn.impute import SimpleImputer\nfrom sklearn.preprocessing import StandardScaler\n\n"
    "demo = mlkit.load_demo()\ntarget = mlkit.datasets.DEMO_TARGET\n"
    'sexed = demo[demo[target].isin(["MALE", "FEMALE"])]\n'
    'numeric = sexed[["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", target]]\n'
    "model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())",
    "checks = mlkit.check(demo, target=target)\nchecks.chart()",
    'prof = mlkit.profile(demo, target=target, max_charts=4)\nprof.charts["missing values"]',
    "prof.charts[list(prof.charts)[-1]]",
    'reference, current = demo[demo["studyName"] == "PAL0708"], demo[demo["studyName"] != "PAL0708"]\n'
    "drift = mlkit.compare_profiles(reference, current, max_charts=2)\ndrift.charts[list(drift.charts)[0]]",
    "mlkit.compare(reference, current, target=target).chart()",
    "baselines = mlkit.baseline(numeric, target, cv=3)\nbaselines.chart()",
    "checked = mlkit.sanity(model, numeric, target, cv=3)\nchecked.chart()",
    "explained = mlkit.explain(model.fit(numeric.drop(columns=[target]), numeric[target]), numeric, target, top=1, n_repeats=2)\n"
    'charts = explained.charts()\ncharts["importance"]',
    "charts[list(charts)[1]]",
    "checks.chart() | baselines.chart()",
    # the reports themselves (HTML reprs): they must keep their own layout under JupyterLab's table styles
    "checks",
    "prof",
    "mlkit.compare(reference, current, target=target)",
    "baselines",
    "checked",
    # progress in a notebook: one bar updated in place, gone when done, nothing on stderr
    "quiet = mlkit.baseline(numeric, target, cv=2, progress=True)",
]
# the why-board (mlkit.whyif): a logistic regression of the penguins' sex on their four measurements
WHY_CELLS = [
    "import mlkit\nfrom sklearn.impute import SimpleImputer\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import StandardScaler\n\n"
    "demo = mlkit.load_demo()\ntarget = mlkit.datasets.DEMO_TARGET\n"
    'features = ["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]\n'
    'sexed = demo[demo[target].isin(["MALE", "FEMALE"])][features + [target]].dropna()\n'
    "model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()).fit(sexed[features], sexed[target])",
    "why = mlkit.why_board(model, sexed, target)\nwhy",
]
CHART_CELLS = range(1, 11)  # the cells after the imports that show one chart each
REPORT_CELLS = range(11, 16)
PROGRESS_CELL = 16

# JavaScript run in the page: notebook state through JupyterLab's own model (exposed with --LabApp.expose_app_in_browser)
_JS_KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""
_JS_ALL_RAN = """() => { const w = window.jupyterapp.shell.currentWidget; const cells = w.content.model.cells; let ok = true;
  for (let i = 0; i < cells.length; i++) { const c = cells.get(i); if (c.type === 'code' && !c.executionCount) ok = false; }
  const k = w.sessionContext.session.kernel; return ok && k.status === 'idle'; }"""
_JS_ERRORS = """() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells; const out = [];
  for (let i = 0; i < cells.length; i++) { const c = cells.get(i); if (c.type !== 'code') continue;
    for (const o of c.outputs.toJSON()) { if (o.output_type === 'error') out.push(`cell ${i}: ${o.ename}: ${o.evalue}`); } }
  return out; }"""
_BAD_TEXT = ("JavaScript Error", "Error displaying widget", "Error loading script", "Loading widget...", "Traceback")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_chromium():
    "Install Debian's chromium and chromium-driver when missing (quiet and quick when present)."
    script = ROOT / "tools" / "browser-setup.sh"
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=900)
    if done.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium could not be installed: {done.stderr.strip()[-400:]}")
    assert shutil.which("chromedriver"), "chromium-driver is missing after tools/browser-setup.sh"


def _write_notebook(folder: Path, name: str = "widgets.ipynb", cells=CELLS) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    path = folder / name
    nbformat.write(nb, path)
    return path


def _lab_settings(folder: Path) -> Path:
    "User settings for this JupyterLab only: start the kernel without asking, render every cell, fetch no news."
    settings = folder / "lab-settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"autoStartDefaultKernel": True, "windowingMode": "none"})
    )
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return settings.parent


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    "A JupyterLab server on 127.0.0.1 with a random token, serving a fresh folder holding the widgets notebook; killed afterwards."
    _ensure_chromium()
    folder = tmp_path_factory.mktemp("lab")
    _write_notebook(folder)
    _write_notebook(folder, "outputs.ipynb", OUTPUT_CELLS)
    _write_notebook(folder, "why.ipynb", WHY_CELLS)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(_lab_settings(folder)), JUPYTER_CONFIG_DIR=str(folder / "jupyter-config"))
    log = open(folder / "lab.log", "w")
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={folder}",
    ]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder)
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; log:\n{(folder / 'lab.log').read_text()[-2000:]}") from None
                time.sleep(0.5)
        yield {"url": f"http://127.0.0.1:{port}", "token": token, "folder": folder}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    "Debian's Chromium driven by Playwright, one for the module."
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        yield chromium
        chromium.close()


def _open_and_run(browser, lab, name: str):
    "A page with notebook `name` open and every cell run; every request not to the lab server is aborted and recorded."
    pg = browser.new_page(viewport={"width": 1500, "height": 1100})
    pg.blocked = []
    local = (lab["url"], "data:", "blob:")

    def route(r):
        if r.request.url.startswith(local):
            r.continue_()
        else:
            pg.blocked.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    # a workspace of its own, reset: JupyterLab would otherwise reopen the other notebook of this server beside it
    pg.goto(f"{lab['url']}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={lab['token']}", timeout=90_000)
    pg.wait_for_function(_JS_KERNEL_IDLE, timeout=120_000, polling=500)
    pg.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    pg.wait_for_function(_JS_ALL_RAN, timeout=240_000, polling=1000)
    return pg


@pytest.fixture(scope="module")
def page(browser, lab):
    "The widgets notebook, run, with every board's chart drawn."
    pg = None
    try:
        pg = _open_and_run(browser, lab, "widgets.ipynb")
        for kind in ("explore", "profile", "compare", "baseline", "tuner"):
            pg.wait_for_selector(f".mlkit-{kind} .mlkit-chart .vega-embed svg .role-mark", state="attached", timeout=60_000)
    finally:
        if pg is not None:
            pg.screenshot(path=str(ARTIFACTS / "00-notebook-after-run.png"), full_page=True)
    yield pg
    pg.close()


@pytest.fixture(scope="module")
def outputs_page(browser, lab):
    "The notebook of plain chart and report outputs, run with Altair's default renderer."
    pg = _open_and_run(browser, lab, "outputs.ipynb")
    pg.wait_for_timeout(1500)  # let the last vega-embed views finish drawing
    pg.screenshot(path=str(ARTIFACTS / "outputs-after-run.png"), full_page=True)
    yield pg
    pg.close()


def _board(page, kind: str):
    return page.locator(f".mlkit-{kind}").first


def _marks(board) -> int:
    "Number of drawn SVG mark items (bars, lines, rules, text) in the board's chart."
    return board.locator(".mlkit-chart .vega-embed svg .role-mark > *").count()


def _wait_changed(page, read, before, what: str, timeout: float = 30.0):
    "Poll `read()` until it differs from `before`; fail naming `what` otherwise."
    end = time.time() + timeout
    while time.time() < end:
        now = read()
        if now is not None and now != before:
            return now
        page.wait_for_timeout(250)
    raise AssertionError(f"{what} did not change after the interaction (still {before!r:.200})")


def _wait_for(page, read, text: str, what: str, timeout: float = 30.0):
    "Poll `read()` until it contains `text`; fail naming `what` otherwise."
    end = time.time() + timeout
    while time.time() < end:
        now = read()
        if now is not None and text in now:
            return now
        page.wait_for_timeout(250)
    raise AssertionError(f"{what} never showed {text!r}")


def _chart_text(board) -> str | None:
    "The chart's SVG once it has drawn marks (None while it is empty, e.g. between two charts)."
    svg = board.locator(".mlkit-chart .vega-embed svg")
    if not svg.count() or not _marks(board):
        return None
    return svg.first.inner_html()


def test_notebook_ran_without_errors_and_offline(page):
    errors = page.evaluate(_JS_ERRORS)
    assert errors == [], f"cells raised: {errors}"
    text = page.locator(".jp-Notebook").inner_text()
    bad = [b for b in _BAD_TEXT if b in text]
    assert not bad, f"the page shows {bad}"
    assert page.blocked == [], f"the page tried to reach the network: {page.blocked[:5]}"
    for kind in ("explore", "profile", "compare", "baseline", "tuner"):
        board = _board(page, kind)
        assert board.is_visible(), f"the {kind} board is not on the page"
        assert _marks(board) > 0, f"the {kind} chart drew no marks"
        board.screenshot(path=str(ARTIFACTS / f"{kind}-0-initial.png"))


def test_explore_filters_and_selects(page):
    board = _board(page, "explore")
    findings = board.locator(".mlkit-findings select")
    before = findings.inner_text()
    board.locator(".mlkit-severity button", has_text="Warning").click()
    after = _wait_changed(page, findings.inner_text, before, "the findings list")
    assert "WARNING" in after and "ERROR" not in after
    chart_before = _chart_text(board)
    options = findings.locator("option")
    assert options.count() >= 2
    findings.select_option(index=1)
    _wait_changed(page, lambda: _chart_text(board), chart_before, "the finding's chart")
    detail = board.locator(".mlkit-detail").inner_text()
    assert "Selected finding" in detail and "warning" in detail
    column = detail.split("Columns:")[1].splitlines()[0].strip()
    _wait_for(page, lambda: _chart_text(board), column, "the chart of the selected finding")  # the chart the last click asked for
    assert _marks(board) > 0
    board.screenshot(path=str(ARTIFACTS / "explore-1-warnings.png"))
    # report.widget() drew the data without being given it; a pair finding opens on the pair, one column against the other
    assert board.locator(".mlkit-no-data").count() == 0
    board.locator(".mlkit-severity button", has_text="All").click()
    check = board.locator(".mlkit-check select")
    labels = [label.replace("\xa0", " ") for label in check.locator("option").all_inner_texts()]  # ipywidgets writes spaces as nbsp
    chart_before = _chart_text(board)
    check.select_option(label=next(label for label in labels if label.startswith("highly_correlated_features")))
    _wait_changed(page, lambda: _chart_text(board), chart_before, "the chart of the pair finding")
    options = board.locator(".mlkit-chart-column select option")
    # the kernel's updates can reach the page in any order (the severity click redraws too): wait for the pair's own view
    pair = _wait_for(page, lambda: options.first.inner_text().replace("\xa0", " ") if options.count() else None, " × ", "the pair option")
    a, b = pair.split(" × ")
    _wait_for(page, lambda: _chart_text(board), a, "the pair chart")
    drawn = _wait_for(page, lambda: _chart_text(board), b, "the pair chart")
    assert a in drawn and b in drawn, pair
    listed = findings.inner_text().replace("\xa0", " ")
    assert " × " in listed and "rows)" not in listed, listed  # the pair in the list; a pair is about columns
    board.screenshot(path=str(ARTIFACTS / "explore-2-pair.png"))


def test_profile_picks_a_column_and_the_target_view(page):
    board = _board(page, "profile")
    stats = board.locator(".mlkit-stats")
    before = stats.inner_text()
    board.locator(".mlkit-column select").select_option(value=None, label="Flipper Length (mm)  (numeric)")
    after = _wait_changed(page, stats.inner_text, before, "the column statistics")
    assert "Statistics of Flipper Length (mm)" in after and "median" in after
    chart_before = _chart_text(board)
    board.locator(".mlkit-view button", has_text="Against Sex").click()
    _wait_changed(page, lambda: _chart_text(board), chart_before, "the profile chart")
    assert _marks(board) > 0
    board.screenshot(path=str(ARTIFACTS / "profile-1-against-target.png"))


def test_compare_picks_a_column(page):
    board = _board(page, "compare")
    test_panel = board.locator(".mlkit-test")
    before = test_panel.inner_text()
    select = board.locator(".mlkit-column select")
    labels = [label.replace("\xa0", " ") for label in select.locator("option").all_inner_texts()]  # ipywidgets writes spaces as nbsp
    select.select_option(index=next(i for i, label in enumerate(labels) if label.startswith("Body Mass (g)")))
    after = _wait_changed(page, test_panel.inner_text, before, "the drift test panel")
    assert "Drift test of Body Mass (g)" in after and "p-value" in after
    assert "Body Mass (g)" in _chart_text(board) and _marks(board) > 0
    board.screenshot(path=str(ARTIFACTS / "compare-1-body-mass.png"))


def test_baseline_switches_metric(page):
    board = _board(page, "baseline")
    table = board.locator(".mlkit-table")
    before = table.inner_text()
    board.locator(".mlkit-metric select").select_option(value=None, label="log_loss  (lower is better)")
    after = _wait_changed(page, table.inner_text, before, "the candidates table")
    assert "Candidates by log_loss" in after and "Score to beat" in after
    assert "score to beat" in _chart_text(board) and _marks(board) > 0
    board.screenshot(path=str(ARTIFACTS / "baseline-1-log-loss.png"))


def test_tuner_slider_moves_threshold_and_matrix(page):
    board = _board(page, "tuner")
    matrix = board.locator(".mlkit-matrix")
    before = matrix.inner_text()
    assert "threshold 0.5" in before
    rule = board.locator(".mlkit-chart svg .mark-rule.role-mark line").first
    rule_before = rule.evaluate("e => e.outerHTML")
    handle = board.locator(".mlkit-threshold .noUi-handle").first
    handle.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] - 150, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    after = _wait_changed(page, matrix.inner_text, before, "the confusion matrix")
    assert "threshold 0.5" not in after
    readout = board.locator(".mlkit-threshold .widget-readout").inner_text()
    assert float(readout) < 0.5, readout
    _wait_changed(page, lambda: rule.evaluate("e => e.outerHTML"), rule_before, "the threshold line in the chart")
    metrics = board.locator(".mlkit-metrics").inner_text()
    assert "precision" in metrics and "recall" in metrics and "total cost" in metrics
    board.locator(".mlkit-lowest-cost").click()
    _wait_changed(
        page, lambda: board.locator(".mlkit-threshold .widget-readout").inner_text(), readout, "the threshold after 'Lowest cost'"
    )
    board.screenshot(path=str(ARTIFACTS / "tuner-1-moved.png"))
    errors = page.evaluate(_JS_ERRORS)
    assert errors == [], f"cells raised after the interactions: {errors}"
    assert page.blocked == [], f"the page tried to reach the network: {page.blocked[:5]}"


_JS_CHART_OUTPUTS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(cell => {
  const charts = Array.from(cell.querySelectorAll('.jp-OutputArea-output .mlkit-chart'));
  return {charts: charts.length,
          live: charts.filter(c => c.querySelectorAll('.mlk-live.vega-embed svg .role-mark > *').length > 0).length,
          static: charts.filter(c => c.querySelector('.mlk-static')).length,
          text: cell.querySelector('.jp-OutputArea') ? cell.querySelector('.jp-OutputArea').innerText.slice(0, 200) : ''}; })"""


def test_every_chart_output_draws_offline(outputs_page):
    "Each chart-returning call, shown with the default renderer and no network, drew live Vega marks (not only the static SVG)."
    errors = outputs_page.evaluate(_JS_ERRORS)
    assert errors == [], f"cells raised: {errors}"
    assert outputs_page.blocked == [], f"the page tried to reach the network: {outputs_page.blocked[:5]}"
    cells = outputs_page.evaluate(_JS_CHART_OUTPUTS)
    assert len(cells) == len(OUTPUT_CELLS)
    drawn = [i for i in CHART_CELLS if cells[i]["charts"] == 1 and cells[i]["live"] == 1 and cells[i]["static"] == 0]
    missing = {i: (OUTPUT_CELLS[i].splitlines()[-1], cells[i]) for i in CHART_CELLS if i not in drawn}
    assert not missing, f"chart outputs that did not draw live offline: {missing}"
    text = outputs_page.locator(".jp-Notebook").inner_text()
    assert not [b for b in _BAD_TEXT if b in text]


_JS_REPORT_LAYOUT = """() => { const problems = []; let cells = 0, reports = 0;
  for (const report of document.querySelectorAll('.jp-OutputArea-output .mlkit-report')) {
    reports++; const right = report.getBoundingClientRect().right;
    for (const table of report.querySelectorAll('table')) {
      if (!table.closest('.mlk-scroll') && table.getBoundingClientRect().right > right + 1)
        problems.push(`table wider than its report: ${table.innerText.slice(0, 60)}`);
      for (const cell of table.querySelectorAll('td, th')) {
        if (!cell.getClientRects().length) continue;  // inside a closed <details>
        cells++;
        const align = getComputedStyle(cell).textAlign;
        if (!cell.classList.contains('mlk-num') && !['left', 'start'].includes(align))
          problems.push(`${align}-aligned: ${cell.innerText.slice(0, 60)}`);
        if (cell.scrollWidth > cell.clientWidth + 1)
          problems.push(`overflows its cell (${cell.scrollWidth} > ${cell.clientWidth} px): ${cell.innerText.slice(0, 60)}`);
      } } }
  return {reports, cells, problems}; }"""


def test_reports_keep_their_layout_in_jupyterlab(outputs_page):
    "mlkit's HTML reprs under JupyterLab's table styles: every cell left-aligned (numbers excepted), none wider than its cell or table."
    layout = outputs_page.evaluate(_JS_REPORT_LAYOUT)
    assert layout["reports"] >= len(REPORT_CELLS) and layout["cells"] > 100, layout
    assert layout["problems"] == [], f"{len(layout['problems'])} layout problems: {layout['problems'][:8]}"
    verdicts = outputs_page.locator(".jp-OutputArea-output .mlkit-report > h2 + p.mlk-verdict")
    assert verdicts.count() >= len(REPORT_CELLS)  # every report opens with its verdict line
    for i in REPORT_CELLS:
        report = outputs_page.locator(".jp-Notebook .jp-CodeCell").nth(i).locator(".mlkit-report").first
        report.evaluate("e => e.scrollIntoView()")  # the top of the report in the window, as a reader first sees it
        outputs_page.screenshot(path=str(ARTIFACTS / f"report-{i}.png"))


def test_progress_in_a_notebook_disappears_and_never_uses_stderr(outputs_page):
    "A call with progress=True leaves no bar and no stderr (JupyterLab paints it pink) once done."
    cells = outputs_page.locator(".jp-Notebook .jp-CodeCell")
    assert "progress=True" in OUTPUT_CELLS[PROGRESS_CELL]
    assert outputs_page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    outputs = cells.nth(PROGRESS_CELL).locator(".jp-OutputArea-output")
    visible = [o.inner_text().strip() for o in outputs.all() if o.inner_text().strip()]
    assert visible == [], f"the progress cell still shows {visible}"
    assert outputs_page.locator(".mlkit-progress").count() == 0


@pytest.fixture(scope="module")
def why_page(browser, lab):
    "The why-board notebook, run, with its contribution chart drawn."
    pg = None
    try:
        pg = _open_and_run(browser, lab, "why.ipynb")
        pg.wait_for_selector(".mlkit-whyif .mlkit-chart .vega-embed svg .role-mark", state="attached", timeout=60_000)
    finally:
        if pg is not None:
            pg.screenshot(path=str(ARTIFACTS / "why-0-notebook-after-run.png"), full_page=True)
    yield pg
    pg.close()


def _why_state(board) -> dict:
    "What the why-board shows: the prediction panel, the counterfactuals, the chart's SVG (None while it has no marks)."
    return {
        "summary": board.locator(".mlkit-summary").inner_text(),
        "counterfactuals": board.locator(".mlkit-counterfactuals").inner_text(),
        "chart": _chart_text(board),
    }


def _wait_all_changed(page, board, before: dict, timeout: float = 30.0) -> dict:
    "Poll the board until the prediction, the counterfactuals and the chart all differ from `before`; fail naming what stayed."
    end = time.time() + timeout
    while True:
        now = _why_state(board)
        same = [k for k in before if now[k] is None or now[k] == before[k]]
        if not same:
            return now
        if time.time() > end:
            raise AssertionError(f"the why-board's {', '.join(same)} did not change after the interaction")
        page.wait_for_timeout(250)


def test_why_board_follows_the_row_and_typed_values(why_page):
    "Pick another row, then type a value: the prediction text, the contributions chart and the counterfactuals all follow, offline."
    page = why_page
    assert page.evaluate(_JS_ERRORS) == []
    board = _board(page, "whyif")
    board.scroll_into_view_if_needed()
    first = _why_state(board)
    assert first["summary"].startswith("Predicted ") and "because" in first["summary"], first["summary"]
    assert first["counterfactuals"].startswith("What would change it") and "If " in first["counterfactuals"]
    assert first["chart"] and _marks(board) > 0
    board.screenshot(path=str(ARTIFACTS / "why-1-first-row.png"))
    # another row whose prediction is the other class: every part of the board must change
    select = board.locator(".mlkit-row select")
    predicted = first["summary"].split()[1]
    options = select.locator("option").all_inner_texts()
    picked = None
    for label in options[1:40]:
        select.select_option(label=label)
        now = _wait_all_changed(page, board, first)
        if now["summary"].split()[1] != predicted:
            picked = label
            break
        first = now
    assert picked is not None, f"no row among the first 40 is predicted other than {predicted}"
    assert "What would change it: a prediction of" in now["counterfactuals"] and predicted in now["counterfactuals"]
    board.screenshot(path=str(ARTIFACTS / "why-2-other-row.png"))
    # type a value: the row becomes an edited one and the board explains it
    box = board.locator(".mlkit-value-body-mass-g input")
    box.fill("6000")
    box.press("Enter")
    typed = _wait_all_changed(page, board, now)
    assert "6,000 g" in typed["summary"] + typed["counterfactuals"], typed
    note = board.locator(".mlkit-row-note").inner_text()
    assert f"Row {picked} with Body Mass (g) changed" in note, note  # the picker still shows the row: the board says it is edited
    assert "LogisticRegression" in board.inner_text().splitlines()[0]  # the estimator that decides, not "Pipeline"
    board.screenshot(path=str(ARTIFACTS / "why-3-typed-value.png"))
    assert page.evaluate(_JS_ERRORS) == []
    text = board.inner_text()
    assert not [b for b in _BAD_TEXT if b in text]
    assert page.blocked == [], f"the page tried to reach the network: {page.blocked[:5]}"
