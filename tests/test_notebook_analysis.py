"""notebooks/analysis.ipynb: committed without outputs, and it runs against the demo workspace."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import facilitation
from facilitation.serve import notebooks_dir
from facilitation.shipped import load_demo

pytestmark = pytest.mark.slow

NOTEBOOK = notebooks_dir() / "analysis.ipynb"


def test_the_analysis_notebook_is_committed_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None


def test_the_analysis_notebook_reproduces_the_wall(tmp_path: Path, monkeypatch) -> None:
    workspace = tmp_path / "demo.db"
    with facilitation.create_workspace(workspace, "Demo") as store:
        load_demo(store)
        ties = len(store.ties())
    monkeypatch.setenv("FACILITATION_WORKSPACE", str(workspace))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={
        "metadata": {"path": str(NOTEBOOK.parent)}
    }).execute()  # fmt: skip
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    pictures = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(pictures) >= 6  # four of the wall, the bipartite network, a projection
    text = "\n".join(
        str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs
    )
    assert "Bautzen" in text and "Dichte" in text
    assert "cooperation.gexf" in text and "kumu-connections.csv" in text
    assert str(ties) in text
