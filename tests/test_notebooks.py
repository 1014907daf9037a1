"""The page notebooks: committed without outputs, thin, and they run."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import facilitation
from facilitation.serve import PAGES, notebooks_dir

# The pages' notebooks (analysis.ipynb is the researchers': see test_notebook_analysis.py).
NOTEBOOKS = sorted(p for p in notebooks_dir().glob("*.ipynb") if p.name != "analysis.ipynb")


def test_every_page_has_its_notebook() -> None:
    assert {page.notebook for page in PAGES} <= {path.name for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs_and_holds_no_logic(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for cell in code:
        assert cell.get("outputs", []) == []
        assert cell.get("execution_count") is None
    source = "\n".join(cell.source for cell in code)
    assert len([line for line in source.splitlines() if line.strip()]) <= 3
    assert "from facilitation.ui import" in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "werkstatt.db"
    with facilitation.create_workspace(workspace, "Werkstatt") as store:
        key = store.facilitator_key()
    monkeypatch.setenv("FACILITATION_WORKSPACE", str(workspace))
    monkeypatch.setenv("QUERY_STRING", f"key={key}")
    monkeypatch.setenv("FACILITATION_JOIN_URL", "http://127.0.0.1:8866/")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={
        "metadata": {"path": str(path.parent)}
    }).execute()  # fmt: skip
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert os.environ["FACILITATION_WORKSPACE"] == str(workspace)
