"""The distribution: one installed namespace, ``govlab`` (issue 19, item 5).

The wheel is built from the repository and installed into a fresh virtual environment; from a
folder laid out like a Mesa example (its own ``model.py`` and ``agents.py``) the user's modules
and govlab's import side by side, and the wheel holds nothing outside ``govlab/``. The fresh
environment takes govlab's dependencies from the test's own environment through ``PYTHONPATH``
(a path there processes no ``.pth`` file, so the editable install of this checkout stays out).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("model", "agents", "scenarios", "experiments", "results", "viz")

USER_MODEL = '''"""A Mesa example's own model.py, beside which govlab must import."""
import mesa


class MyModel(mesa.Model):
    pass
'''

CHECK = """
import json, sys
import model, agents  # the user's own modules
from model import MyModel
import govlab
from govlab.experiments import single
from govlab.model import GovernanceModel
from govlab.scenarios import load_scenario

scenario = load_scenario("silo").with_overrides(
    {"world.residents": 300, "world.enterprises": 20, "world.warmup_days": 0}
)
built = GovernanceModel(scenario, rng=1, engine="python")
for _ in range(3):
    built.step()
print(json.dumps({
    "user_model": model.__file__, "user_agents": agents.__file__, "mine": MyModel.__name__,
    "govlab": govlab.__file__, "version": govlab.__version__, "single": single.__name__,
    "days": built.steps,
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the tracked sources."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "cdn_cache", "*.pyc")
    for part in (*PARTS, "govlab"):
        shutil.copytree(ROOT / part, source / part, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp / "dist"), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (built,) = (tmp / "dist").glob("govlab-*.whl")
    return built


def test_the_wheel_installs_only_the_govlab_namespace(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"govlab"}
    for part in PARTS:
        assert f"govlab/{part}/__init__.py" in names
    assert "govlab/scenarios/catalogue/silo.toml" in names  # data travels with the code
    assert "govlab/scenarios/observed/china.toml" in names  # observed figures (issue 22)
    assert "govlab/viz/browser_language.vue" in names
    assert "govlab/__main__.py" in names


def test_a_fresh_install_imports_beside_a_mesa_style_model_py(wheel, tmp_path):
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    project = tmp_path / "my_mesa_example"
    project.mkdir()
    (project / "model.py").write_text(USER_MODEL)
    (project / "agents.py").write_text('"""The user\'s agents."""\n')
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    env.pop("PYTHONHOME", None)
    done = subprocess.run(
        [str(python), "-c", CHECK], cwd=project, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["user_model"] == str(project / "model.py")
    assert seen["user_agents"] == str(project / "agents.py")
    assert seen["govlab"].startswith(str(venv)), seen["govlab"]  # the wheel, not this checkout
    assert seen["single"] == "govlab.experiments.single" and seen["days"] == 3
    for command in (
        [str(venv / "bin" / "govlab"), "--version"],
        [str(python), "-m", "govlab", "--version"],
    ):
        shown = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        assert shown.returncode == 0 and shown.stdout.strip() == f"govlab {seen['version']}"
    gone = subprocess.run(  # no generic top-level names were installed
        [str(python), "-c", "import experiments"], cwd=tmp_path, env=env, capture_output=True
    )
    assert gone.returncode != 0


def test_no_module_imports_a_part_outside_the_namespace():
    """Every import of a part names it ``govlab.<part>``: a bare ``import model`` would load a
    second copy from the repository root (or a user's own ``model.py``)."""
    bare = []
    for path in sorted(ROOT.rglob("*.py")):
        if ".venv" in path.parts or "cdn_cache" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            bare += [
                f"{path.relative_to(ROOT)}:{node.lineno}" for n in names if n.split(".")[0] in PARTS
            ]
    assert not bare, bare
