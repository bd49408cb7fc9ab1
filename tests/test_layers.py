"""The apps' layers hold in Python imports (import-linter) and in templates.

The contract lives in pyproject.toml and ``make lint`` runs it; these tests prove that it
really refuses an upward import, and apply the same order to templates, which import-linter
cannot see: a lower app's template never loads a higher app's tags nor includes its
templates (a higher app fills a page part instead, see plumbers.extensions).
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.template.backends.django import get_installed_libraries

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return config


def _layer_rank() -> dict[str, int]:
    """App name -> height (0 = bottom), from the layers contract."""
    layers = _contract()["contracts"][0]["layers"]
    return {
        app.strip(): height
        for height, layer in enumerate(reversed(layers))
        for app in layer.split("|")
    }


def _lint_copy(tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path):
    """The apps and the contract, copied: the probe module never touches the checkout."""
    for package in _contract()["root_packages"]:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_layers_contract_refuses_an_upward_import(tree_copy):
    kept = _lint_copy(tree_copy)
    assert kept.returncode == 0, kept.stdout + kept.stderr

    (tree_copy / "plumbers" / "layer_probe.py").write_text(
        "def late():\n    from registration.models import Registration\n\n    return Registration\n"
    )
    broken = _lint_copy(tree_copy)

    assert broken.returncode != 0
    assert "plumbers.layer_probe -> registration.models" in broken.stdout


def _template_app(path: Path) -> str:
    """The app a template belongs to: its folder (mail/<app>/ for mails); the site's shared
    templates (base, errors, includes, allauth's) are the core's."""
    parts = path.relative_to(ROOT / "templates").parts
    if parts[0] == "mail":
        parts = parts[1:]
    return parts[0] if parts[0] in _layer_rank() else "plumbers"


def test_templates_never_reach_up_a_layer():
    rank = _layer_rank()
    libraries = {
        name: module.split(".")[0]
        for name, module in get_installed_libraries().items()
        if module.split(".")[0] in rank
    }
    assert {"plumbers_tags", "cfp_tags", "registration_tags", "sponsors_tags"} <= set(libraries)
    upward = []
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted(
        (ROOT / "templates").rglob("*.txt")
    ):
        owner = _template_app(path)
        text = path.read_text()
        used = [
            libraries[name]
            for load in re.findall(r"{%\s*load\s+([^%]+?)\s*%}", text)
            for name in load.split()
            if name in libraries
        ]
        used += [
            _template_app(ROOT / "templates" / name)
            for name in re.findall(r"""{%\s*(?:include|extends)\s+["']([^"']+)["']""", text)
            if (ROOT / "templates" / name).exists()
        ]
        upward += [
            f"{path.relative_to(ROOT)} uses {app}" for app in used if rank[app] > rank[owner]
        ]
    assert upward == []


def test_row_locks_never_take_joined_rows():
    """Every ``select_for_update`` says which rows it locks (``of=("self",)``): without it,
    PostgreSQL also locks every joined row (the edition through ``select_related``, another
    kind through a filter), which is how two seat paths deadlocked (see
    registration/services/seats.py)."""
    offenders = [
        f"{path.relative_to(ROOT)}: {call}"
        for package in _contract()["root_packages"]
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        for call in re.findall(r"select_for_update\([^)]*\)", path.read_text())
        if 'of=("self",)' not in call
    ]

    assert offenders == []
