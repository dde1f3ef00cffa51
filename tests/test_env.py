"""srkit.env: smoke mode, and start(), the notebooks' first call, which loads TensorFlow without the start-up
lines its C++ library writes to stderr and prints one set-up line."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import srkit
from srkit import env

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
# What TensorFlow's C++ start-up lines contain ("All log messages before absl::InitializeLog() ...", "oneDNN
# custom operations are on", "cpu_feature_guard.cc ... optimized", "failed call to cuInit", "Could not find
# cuda drivers").
NOISE = ("absl", "onednn", "cpu_feature_guard", "cuinit", "cuda")


def noise_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(m in line.lower() for m in NOISE)]


def run_python(code: str, **env_vars) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "SRKIT_SMOKE")}
    environ.update(env_vars)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ,
                          cwd=ROOT, timeout=300)


def test_pick_follows_smoke_mode(monkeypatch):
    monkeypatch.setenv("SRKIT_SMOKE", "1")
    assert env.smoke_mode() and env.pick(full=3000, smoke=20) == 20
    monkeypatch.setenv("SRKIT_SMOKE", "0")
    assert not env.smoke_mode() and env.pick(full=3000, smoke=20) == 3000


def test_importing_tensorflow_alone_is_noisy():
    """The reason for start(): a plain import writes C++ log lines to stderr, even at TF_CPP_MIN_LOG_LEVEL=3."""
    out = run_python("import tensorflow as tf; tf.config.list_physical_devices('GPU')", TF_CPP_MIN_LOG_LEVEL="3")
    assert out.returncode == 0, out.stderr
    if not noise_in(out.stderr):
        pytest.skip("this TensorFlow build writes no start-up lines; start() has nothing to hide here")


@pytest.mark.parametrize("level", [None, "0"], ids=["level-unset", "level-0"])
def test_start_prints_one_line_and_nothing_on_stderr(level):
    code = ("import os, srkit.env as e\n"
            "line = e.start()\n"
            "import tensorflow as tf\n"
            "tf.constant(1.0) + 1.0\n"                      # the first op: no more start-up lines after start()
            "assert e.start() == line\n"                    # twice is fine
            "print('LEVEL', os.environ['TF_CPP_MIN_LOG_LEVEL'])\n"
            "os.write(2, b'after start\\n')\n")
    extra = {"SRKIT_SMOKE": "1"} if level is None else {"SRKIT_SMOKE": "1", "TF_CPP_MIN_LOG_LEVEL": level}
    out = run_python(code, **extra)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 3 and lines[0] == lines[1], out.stdout
    line = lines[0]
    import keras
    import tensorflow as tf

    for part in (f"srkit {srkit.__version__}", f"Keras {keras.__version__} (tensorflow backend)",
                 f"TensorFlow {tf.__version__}", f"{os.cpu_count()} CPU cores", "smoke mode on"):
        assert part in line, (part, line)
    assert re.search(r"\| (no GPU|GPU: \S.*) \|", line), line
    assert lines[2] == f"LEVEL {'3' if level is None else level}"   # set when unset, a user's choice is kept
    assert not noise_in(out.stderr), out.stderr
    assert out.stderr.strip() == "after start", out.stderr      # fd 2 works again after start()


def test_start_without_tensorflow_loads_nothing():
    out = run_python("import sys, srkit.env as e; e.start(tensorflow=False); "
                     "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    assert out.returncode == 0, out.stderr
    line, loaded = out.stdout.splitlines()
    assert loaded == "False False"
    assert line.startswith(f"srkit {srkit.__version__} | Keras ") and "(not loaded)" in line
    assert "GPUs not checked" in line and line.endswith("smoke mode off"), line


def test_a_failed_import_is_raised_clearly_and_stderr_is_restored():
    code = ("import os, sys\n"
            "sys.modules['tensorflow'] = None\n"            # makes `import tensorflow` fail
            "import srkit.env as e\n"
            "try:\n"
            "    e.start()\n"
            "except ImportError as err:\n"
            "    print('ERROR', err)\n"
            "os.write(2, b'after start\\n')\n")
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ERROR srkit.env.start: TensorFlow/Keras could not be imported"), out.stdout
    assert out.stderr.strip() == "after start", out.stderr


def first_code_cells() -> list[tuple[str, str]]:
    nbformat = pytest.importorskip("nbformat")
    cells = []
    for path in sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells.append((path.stem, next(c.source for c in nb.cells if c.cell_type == "code")))
    return cells


def test_every_notebook_starts_with_start():
    cells = first_code_cells()
    assert cells
    for name, source in cells:
        assert re.search(r"^setup = start\((tensorflow=False)?\)", source, re.M), (name, source)
        assert not source.startswith("# NBVAL_CHECK_OUTPUT"), f"{name}: the set-up line differs between machines"


@pytest.mark.slow
@pytest.mark.parametrize("name,source", first_code_cells(), ids=lambda v: v if re.match(r"\d\d_", v) else "")
def test_first_cell_in_a_kernel_shows_no_start_up_noise(name, source):
    """The first cell, run in a real Jupyter kernel (which forwards fd 2 into the notebook), shows the set-up
    line and no stderr noise; a write to fd 2 in the next cell still reaches the notebook."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    from nbclient import NotebookClient

    # The kernel's environment: ipykernel forwards fd 2 into the notebook only outside pytest (it checks for
    # PYTEST_CURRENT_TEST), and start() is to set TF_CPP_MIN_LOG_LEVEL itself.
    kernel_env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST", "TF_CPP_MIN_LOG_LEVEL")}
    kernel_env["SRKIT_SMOKE"] = "1"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(source),
        nbformat.v4.new_code_cell("import os, time\nos.write(2, b'after start\\n')\ntime.sleep(0.5)"),
    ])
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NB_DIR)}})
    client.execute(env=kernel_env)
    first, second = nb.cells
    stdout = "".join(o.get("text", "") for o in first.outputs if o.get("name") == "stdout")
    stderr = "".join(o.get("text", "") for o in first.outputs if o.get("name") == "stderr")
    assert stdout.startswith(f"srkit {srkit.__version__} | Keras ") and stdout.count("\n") == 1, first.outputs
    assert stdout.rstrip().endswith("smoke mode on"), stdout
    assert not noise_in(stderr), stderr
    assert not [o for o in first.outputs if o.output_type in ("error", "execute_result")], first.outputs
    after = "".join(o.get("text", "") for o in second.outputs if o.get("name") == "stderr")
    assert "after start" in after, second.outputs


def test_start_on_the_jax_backend_does_not_need_tensorflow():
    """A GPU machine may have Keras on JAX and no TensorFlow: the set-up line names JAX and loads no TensorFlow."""
    pytest.importorskip("jax")
    code = ("import sys; from srkit.env import start, describe; line = start(); "
            "print('TF', 'tensorflow' in sys.modules); print(describe()['keras_backend'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, KERAS_BACKEND="jax"))
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert "(jax backend)" in first and "JAX " in first and "TensorFlow" not in first and "GPU" in first
    assert "TF False" in proc.stdout and proc.stdout.splitlines()[-1] == "jax"
    assert proc.stderr.strip() == ""


def test_training_and_inference_run_on_the_jax_backend(tmp_path):
    """The GPU path (Keras on JAX, no TensorFlow needed for training): a short run, its .keras file, a zoo model."""
    pytest.importorskip("jax")
    code = ("from srkit.train import TrainConfig, train; from srkit import zoo; from srkit.models import load_model\n"
            f"r = train(TrainConfig('espcn', 2, steps=10, eval_every=5, val_limit=1, limit=2, batch_size=4), "
            f"out_dir={str(tmp_path / 'run')!r}, verbose=0)\n"
            "import keras; assert keras.backend.backend() == 'jax'\n"
            "print('val', round(r.final_val_psnr, 2), len(r.history))\n"
            f"m = load_model({str(tmp_path / 'run' / 'model.keras')!r}); print('loaded', m.name)\n"
            "from srkit.evaluate import evaluate\n"
            "print('zoo', round(float(evaluate(zoo.load('espcn', 3), ['Set5'], [3], limit=1).psnr.iloc[0]), 2))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, KERAS_BACKEND="jax", SRKIT_SMOKE="1"), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    val = float(proc.stdout.split("val ")[1].split()[0])
    zoo_psnr = float(proc.stdout.split("zoo ")[1].split()[0])
    assert val > 15 and "loaded" in proc.stdout and zoo_psnr > 30  # the shipped .keras file runs on JAX
