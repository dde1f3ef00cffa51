"""Real-browser check: notebook 00's comparison widget renders and reacts in JupyterLab.

Starts JupyterLab on localhost, opens notebooks/00_welcome.ipynb in headless Chromium (Playwright
driving the system's /usr/bin/chromium), runs all cells, and checks that the widget's images and
sliders are drawn, that moving a slider redraws the zoomed crops, and that clicking the overview image
centres the zoom box on the clicked pixel (the region label and the sliders follow).  Screenshots are
saved to ``$SRKIT_SCREENSHOTS`` (default /tmp) as ``jupyterlab_widget.png`` and
``jupyterlab_widget_click.png``.  Needs Debian's ``chromium`` package (``.ci/run`` installs it); the
test is skipped, with the reason, where it is missing.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("SRKIT_SCREENSHOTS", "/tmp"))

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs the chromium package (apt-get install chromium)"),
    pytest.mark.timeout(400),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _jupyterlab(root: Path, tmp_path_factory, tag: str):
    """JupyterLab (smoke mode) serving ``root`` on a free port, with its own runtime and workspace folders
    (JupyterLab would otherwise reopen the tabs of the user's last session beside ours); yields (url, token)."""
    pytest.importorskip("playwright")
    port, token = _free_port(), "srkit-browser-test"
    env = dict(os.environ, SRKIT_SMOKE="1", JUPYTER_RUNTIME_DIR=str(tmp_path_factory.mktemp(f"jupyter-runtime-{tag}")))
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
         f"--LabApp.workspaces_dir={tmp_path_factory.mktemp(f'workspaces-{tag}')}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield url, token
    finally:
        proc.terminate()
        proc.wait(timeout=30)


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _open_and_run_all(page, url: str, token: str, notebook: str, ready, failure_shot: Path) -> None:
    """Open ``notebook`` in JupyterLab, wait for an idle kernel, then Run > Run All Cells until ``ready(timeout_ms)``
    returns (retried once if the app was not ready; a screenshot is saved before a second failure is raised)."""
    page.goto(f"{url}/lab/tree/{notebook}?token={token}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    page.get_by_text("| Idle").first.wait_for(timeout=120_000)
    for attempt in range(2):
        page.get_by_role("menuitem", name="Run").first.click()
        page.get_by_text("Run All Cells", exact=True).first.click()
        try:
            ready(120_000)
            return
        except Exception:
            if attempt:
                page.screenshot(path=str(failure_shot))
                raise


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving the course's notebooks folder."""
    with _jupyterlab(ROOT / "notebooks", tmp_path_factory, "course") as served:
        yield served


REGION = re.compile(r"zoom: x (\d+)-(\d+), y (\d+)-(\d+) \((\d+) x \d+ px\)")


def _region(page) -> tuple[int, int, int]:
    """``(x, y, size)`` of the zoom box, read from the widget's region label."""
    text = page.locator(".srkit-zoom-region").first.inner_text()
    m = REGION.search(text)
    assert m, f"no zoom region in the label: {text!r}"
    return int(m[1]), int(m[3]), int(m[5])


def _click_overview(page, fx: float, fy: float, before: tuple[int, int, int]) -> tuple[dict, tuple[int, int, int]]:
    """Click the overview at a fraction ``(fx, fy)`` of its displayed size; wait for the region label to change.
    Returns the event ipyevents would report (whole CSS pixels) and the new region."""
    overview = page.locator(".srkit-overview").first
    overview.scroll_into_view_if_needed()
    box = overview.bounding_box()
    px, py = round(fx * box["width"]), round(fy * box["height"])
    page.mouse.click(box["x"] + px, box["y"] + py)
    event = {"relativeX": px, "relativeY": py, "boundingRectWidth": box["width"], "boundingRectHeight": box["height"]}
    for _ in range(40):
        page.wait_for_timeout(250)
        if _region(page) != before:
            break
    return event, _region(page)


def test_compare_widget_renders_and_reacts_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    url, token = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # ready: the comparison widget's overview + 4 tiles + swipe = at least 6 images
        _open_and_run_all(page, url, token, "00_welcome.ipynb",
                          lambda ms: page.wait_for_function("document.querySelectorAll('.widget-image').length >= 6",
                                                            timeout=ms),
                          SHOTS / "jupyterlab_failure.png")
        sliders = page.locator(".widget-slider")
        assert sliders.count() >= 4
        images = page.locator(".widget-image")
        first_tile = images.nth(1)
        first_tile.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        natural = first_tile.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert natural[0] > 0 and natural[1] > 0, "the zoomed crop image did not load"
        html = page.content()
        assert "ground truth" in html and " dB / " in html, "metric captions are missing"
        before = first_tile.get_attribute("src")
        # Move the zoom box with the x slider's keyboard control and check the crop is redrawn.
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.click()
        for _ in range(20):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(1500)
        after = first_tile.get_attribute("src")
        first_tile.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "jupyterlab_widget.png"), full_page=False)
        assert before != after, "moving the x slider did not redraw the zoomed crop"

        # Click to zoom: the box centres on the clicked pixel, clamped inside the image, as
        # CompareState.click computes it from the same event (the notebook's HR image, the box's size).
        from srkit.data import load_benchmark
        from srkit.widgets import CompareState

        hr = load_benchmark("Set5", 3)[0].hr
        cursor = page.locator(".srkit-overview").first.evaluate("img => getComputedStyle(img).cursor")
        assert cursor == "crosshair", f"the overview does not show it can be clicked (cursor {cursor!r})"
        region = _region(page)
        expected = CompareState({"HR": hr}, zoom_size=region[2])
        for fx, fy in [(0.01, 0.01), (0.7, 0.4), (0.99, 0.99)]:
            tile_src = first_tile.get_attribute("src")
            event, new_region = _click_overview(page, fx, fy, region)
            want = expected.click(event).as_tuple()
            assert new_region != region, f"clicking the overview at {fx:.0%}, {fy:.0%} did not move the zoom box"
            # One CSS pixel of slack for the browser's sub-pixel layout: that many image pixels (the overview
            # is shown smaller than the image, so one CSS pixel covers more than one image pixel).
            slack = max(1, math.ceil(max(hr.shape[1] / event["boundingRectWidth"],
                                         hr.shape[0] / event["boundingRectHeight"])))
            assert new_region[2] == want[2] and all(abs(a - b) <= slack for a, b in zip(new_region[:2], want[:2])), \
                (fx, fy, event, new_region, want, slack)
            readouts = page.locator(".widget-slider .widget-readout")
            slider_xy = (int(readouts.nth(0).inner_text()), int(readouts.nth(1).inner_text()))
            assert slider_xy == new_region[:2], f"the x/y sliders show {slider_xy}, the box is at {new_region[:2]}"
            assert first_tile.get_attribute("src") != tile_src, "a click did not redraw the zoomed crop"
            region = new_region
        assert region[:2] == (hr.shape[1] - region[2], hr.shape[0] - region[2])  # the far corner: clamped
        page.locator(".srkit-overview").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "jupyterlab_widget_click.png"), full_page=False)
        browser.close()


# --------------------------------------------------------------------------------------------------
# Notebook 09: the lab, driven through the page
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab09(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/09_lab.ipynb from a temporary folder (so that neither the run nor
    an autosave touches the course's file)."""
    pytest.importorskip("playwright")
    root = tmp_path_factory.mktemp("lab09")
    shutil.copy(ROOT / "notebooks" / "09_lab.ipynb", root / "09_lab.ipynb")
    with _jupyterlab(root, tmp_path_factory, "09") as served:
        yield served


def _wait_for_text(locator, words: str, timeout_s: float = 120) -> str:
    """Wait until ``locator``'s text contains ``words``; return the text."""
    text = ""
    for _ in range(int(timeout_s * 4)):
        text = locator.inner_text()
        if words in text:
            return text
        locator.page.wait_for_timeout(250)
    raise AssertionError(f"waited {timeout_s} s for {words!r}; the text is {text!r}")


def test_lab_notebook_upload_run_swipe_and_vote_in_jupyterlab(lab09, tmp_path):
    """Notebook 09 in JupyterLab: upload a PNG through the page, run two models, move the swipe, cast a vote;
    the images, the metrics and the vote count change, and the browser console shows no error."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from srkit.data import load_benchmark

    shots = Path(os.environ.get("SRKIT_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    upload = tmp_path / "my_butterfly.png"
    Image.fromarray(load_benchmark("Set5", 4)[2].hr[:160, :192]).save(upload)
    url, token = lab09
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
        _open_and_run_all(page, url, token, "09_lab.ipynb",
                          lambda ms: page.wait_for_selector(".srkit-lab", timeout=ms), shots / "lab_failure.png")
        # the rest of the notebook runs first (the kernel answers the widget after the last cell)
        page.get_by_text("| Busy").first.wait_for(timeout=30_000)
        page.get_by_text("| Idle").first.wait_for(timeout=300_000)
        lab = page.locator(".srkit-lab").first
        lab.scroll_into_view_if_needed()
        status = lab.locator(".srkit-lab-status").first

        # 1. upload files through the page: the upload button opens the browser's file chooser. A corrupt file
        # first: a message in the widget, not a traceback; then a real image.
        broken = tmp_path / "broken.png"
        broken.write_bytes(b"\x89PNG\r\n\x1a\n this is not really an image")
        for path in (broken, upload):
            with page.expect_file_chooser(timeout=30_000) as chooser:
                lab.locator(".widget-upload").first.click()
            chooser.value.set_files(str(path))
            if path is broken:
                assert "broken.png" in _wait_for_text(status, "broken.png")
                assert "color:#b00" in status.inner_html() and "Traceback" not in lab.inner_text()
        assert "my_butterfly: 192x160 pixels" in _wait_for_text(status, "pixels")

        # 2. choose two models and run them (degrade mode, x4: PSNR/SSIM and NIQE)
        lab.locator("select[multiple]").first.select_option(["bicubic", "espcn"])
        lab.locator(".srkit-lab-run").first.click()
        _wait_for_text(status, "done: 2 method(s)", timeout_s=180)
        table = lab.locator(".srkit-lab-table").first.inner_text()
        assert "espcn" in table and "bicubic" in table and "HR (reference)" in table
        images = lab.locator(".widget-image")
        page.wait_for_function("document.querySelectorAll('.srkit-lab .widget-image').length >= 5", timeout=60_000)
        html = lab.inner_html()
        assert " dB / " in html and "NIQE" in html and "ground truth" in html, "metric captions are missing"
        tile = images.nth(1)
        tile.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        natural = tile.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert natural[0] > 0 and natural[1] > 0, "the zoomed crop did not load"
        page.screenshot(path=str(shots / "lab_ran.png"), full_page=False)

        # 3. move the swipe: the last slider of the lab (blur, noise, JPEG, then x, y, zoom, swipe)
        swipe_image = images.last
        before = swipe_image.get_attribute("src")
        handle = lab.locator(".widget-slider .noUi-handle").last
        handle.scroll_into_view_if_needed()
        handle.click()
        for _ in range(25):
            page.keyboard.press("ArrowLeft")
        for _ in range(40):
            page.wait_for_timeout(250)
            if swipe_image.get_attribute("src") != before:
                break
        assert swipe_image.get_attribute("src") != before, "moving the swipe did not redraw the swipe view"
        readout = lab.locator(".widget-slider .widget-readout").last.inner_text()
        assert float(readout) < 0.5, f"the swipe slider reads {readout}"
        page.screenshot(path=str(shots / "lab_swipe.png"), full_page=False)

        # 4. start the A/B test and cast a vote
        lab.get_by_text("start the A/B test").first.click()
        page.wait_for_selector(".srkit-lab .srkit-ab-left", timeout=60_000)
        left = lab.locator(".srkit-ab-left").first
        left.scroll_into_view_if_needed()
        summary = lab.locator(".srkit-ab-summary").first
        assert "0 vote(s)" in _wait_for_text(summary, "vote(s)")
        shown = left.get_attribute("src")
        lab.locator(".srkit-ab-vote-a").first.click()
        assert "votes this session: 1" in _wait_for_text(lab.locator(".srkit-ab-status").first, "votes this session")
        assert "1 vote(s)" in _wait_for_text(summary, "1 vote(s)")
        assert left.get_attribute("src") != shown, "the next pair was not drawn after the vote"
        page.screenshot(path=str(shots / "lab_vote.png"), full_page=False)
        assert "color:#b00" not in status.inner_html(), "the lab shows an error message"
        browser.close()
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


# --------------------------------------------------------------------------------------------------
# The learning-curve explorer (chapter 06), in a small notebook of its own
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab_curves(tmp_path_factory):
    """JupyterLab serving a one-cell notebook that opens the learning-curve explorer on the shipped sweeps."""
    pytest.importorskip("playwright")
    import nbformat

    root = tmp_path_factory.mktemp("curves")
    source = ("%matplotlib inline\n"
              "import json\n"
              "from srkit.widgets import curves\n"
              f"runs = json.load(open({str(ROOT / 'bench' / 'training_practice.json')!r}))['runs']\n"
              "curves({r['name']: r for r in runs.values() if r['group'] == 'overfit_wide'},\n"
              "       selected=['images_1'], measure='psnr', title='wide network')")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "curves.ipynb")
    with _jupyterlab(root, tmp_path_factory, "curves") as served:
        yield served


def test_learning_curve_explorer_renders_and_reacts_in_jupyterlab(lab_curves):
    """The explorer draws its figure and table; choosing another run and switching to the gain over bicubic
    redraw them, with no errors in the browser console."""
    from playwright.sync_api import sync_playwright

    url, token = lab_curves
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _open_and_run_all(page, url, token, "curves.ipynb",
                          lambda ms: page.wait_for_selector(".widget-output img", timeout=ms),
                          SHOTS / "jupyterlab_curves_failure.png")
        figure = page.locator(".widget-output img").first
        table = page.locator(".widget-output table").first
        first_src, first_table = figure.get_attribute("src"), table.inner_text()
        assert "images_1" in first_table and "images_all" not in first_table

        def redrawn(old_src: str) -> str:
            for _ in range(60):
                page.wait_for_timeout(250)
                src = page.locator(".widget-output img").first.get_attribute("src")
                if src and src != old_src:
                    return src
            raise AssertionError("the explorer's figure was not redrawn")

        # choose a second run (ctrl-click adds to the selection)
        page.locator(".widget-select-multiple select option", has_text="images_all").click(modifiers=["Control"])
        src = redrawn(first_src)
        assert "images_all" in page.locator(".widget-output table").first.inner_text()
        # switch to the gain over bicubic
        page.get_by_role("button", name="gain over bicubic").click()
        redrawn(src)
        page.screenshot(path=str(SHOTS / "jupyterlab_curves.png"), full_page=False)
        browser.close()
    assert not [e for e in errors if "favicon" not in e], errors


# --------------------------------------------------------------------------------------------------
# The attribution widget (LAM, the efficiency and interpretability chapter), in a small notebook of its own
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab_attribution(tmp_path_factory):
    """JupyterLab serving a one-cell notebook that opens the attribution widget on two zoo models."""
    pytest.importorskip("playwright")
    import nbformat

    root = tmp_path_factory.mktemp("attribution")
    source = ("from srkit import data, zoo\n"
              "from srkit.widgets import attribution\n"
              "lr = data.load_benchmark('Set5', 3)[0].lr[40:72, 40:72]\n"
              "attribution({m: zoo.load(m, 3) for m in ('espcn', 'srcnn')}, lr, steps=4)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "attribution.ipynb")
    with _jupyterlab(root, tmp_path_factory, "attribution") as served:
        yield served


def test_attribution_widget_renders_and_computes_in_jupyterlab(lab_attribution):
    """The widget draws the LR input with the window; *compute* adds the heat map and the DI / receptive-field
    caption; choosing another model clears it until computed; no errors in the browser console."""
    from playwright.sync_api import sync_playwright

    url, token = lab_attribution
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _open_and_run_all(page, url, token, "attribution.ipynb",
                          lambda ms: page.wait_for_selector(".srkit-attribution", timeout=ms),
                          SHOTS / "jupyterlab_attribution_failure.png")
        image, caption = page.locator(".srkit-attribution").first, page.locator(".srkit-attribution-caption").first
        assert "not computed yet" in _wait_for_text(caption, "not computed yet")
        before = image.get_attribute("src")
        page.get_by_role("button", name="compute").click()
        text = _wait_for_text(caption, "DI ")
        assert "receptive field 9 (theory)" in text, text
        for _ in range(40):
            if image.get_attribute("src") != before:
                break
            page.wait_for_timeout(250)
        assert image.get_attribute("src") != before, "the heat map was not drawn"
        page.screenshot(path=str(SHOTS / "jupyterlab_attribution.png"), full_page=False)
        page.locator(".widget-dropdown select").first.select_option("srcnn")
        assert "srcnn" in _wait_for_text(caption, "srcnn")
        assert "not computed yet" in caption.inner_text()
        browser.close()
    assert not [e for e in errors if "favicon" not in e], errors
