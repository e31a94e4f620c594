"""PARTNERBOT_SIMILARITY and its model as an operator meets them: bad values, the embeddings matcher
without its library or with a model that will not load offline — each one line and a non-zero exit,
never a traceback. sentence-transformers is no test dependency: a stand-in package on PYTHONPATH plays
the library (missing, failing as it does offline, or loading), and checks that the loader switched the
hub off before importing it and asked for local files only."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.e2e.test_cli import cli

EMBEDDINGS = {"PARTNERBOT_SIMILARITY": "embeddings", "PARTNERBOT_SIMILARITY_MODEL": "/models/minilm"}

# The library's own words when a model is neither a local folder nor in the cache, offline.
_OFFLINE = """
import os

OFFLINE_AT_IMPORT = os.environ.get("HF_HUB_OFFLINE") == "1"


class SentenceTransformer:
    def __init__(self, name, **options):
        if not OFFLINE_AT_IMPORT or options.get("local_files_only") is not True:
            raise RuntimeError("would have downloaded")
        raise OSError(
            f"We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find "
            f"them in the cached files.\\nCheck your internet connection or see how to run the "
            f"library in offline mode. ({name})"
        )
"""
_MISSING = "raise ImportError(\"No module named 'torch'\")\n"
_LOADS = """
class SentenceTransformer:
    def __init__(self, name, **options):
        self.name = name

    def encode(self, texts, **options):
        return [[1.0, 0.0] for _ in texts]
"""


def _library(tmp_path: Path, source: str) -> dict[str, str]:
    """A stand-in `sentence_transformers` importable by the CLI process."""
    package = tmp_path / "standin" / "sentence_transformers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source)
    return {"PYTHONPATH": str(package.parent)}


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"PARTNERBOT_SIMILARITY": "semantic"},
            "PARTNERBOT_SIMILARITY: Input should be 'fulltext' or 'embeddings'",
        ),
        ({"PARTNERBOT_SIMILARITY_FLOOR": "0"}, "PARTNERBOT_SIMILARITY_FLOOR: Input should be greater than 0"),
        ({"PARTNERBOT_SIMILARITY_FLOOR": "1"}, "PARTNERBOT_SIMILARITY_FLOOR: Input should be less than 1"),
        (
            {"PARTNERBOT_SIMILARITY_FLOOR": "high"},
            "PARTNERBOT_SIMILARITY_FLOOR: Input should be a valid number",
        ),
        (
            {"PARTNERBOT_SIMILARITY": "embeddings"},
            "PARTNERBOT_SIMILARITY=embeddings needs PARTNERBOT_SIMILARITY_MODEL",
        ),
    ],
    ids=["unknown matcher", "floor 0", "floor 1", "floor not a number", "embeddings without a model"],
)
def test_bad_settings_are_one_line(tmp_path: Path, env: dict[str, str], says: str) -> None:
    result = cli(tmp_path, "topics", "list", env=env)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert line.startswith("partnerbot: configuration error — ") and says in line, line


def test_embeddings_without_the_library_says_what_to_install(tmp_path: Path) -> None:
    result = cli(tmp_path, "topics", "list", env=EMBEDDINGS | _library(tmp_path, _MISSING))
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "needs sentence-transformers" in line and "pip install 'partnerbot[embeddings]'" in line
    assert "PARTNERBOT_SIMILARITY=fulltext" in line


def test_a_model_that_will_not_load_offline_says_what_to_set(tmp_path: Path) -> None:
    result = cli(tmp_path, "topics", "list", env=EMBEDDINGS | _library(tmp_path, _OFFLINE))
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "the embedding model '/models/minilm' does not load offline" in line
    assert "couldn't find them in the cached files" in line  # the library's reason, on the same line
    assert "set PARTNERBOT_SIMILARITY_MODEL to a model directory" in line
    assert "would have downloaded" not in line  # offline before the import, local files only


def test_run_refuses_to_start_with_a_model_that_will_not_load(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on: never reached
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    platform = {"DISCORD_TOKEN": "x", "PARTNERBOT_DISCORD_API_URL": f"http://127.0.0.1:{port}"}
    env = EMBEDDINGS | platform | {"PARTNERBOT_ADMIN_CHANNELS": "discord:1"}
    result = cli(tmp_path, "run", env=env | _library(tmp_path, _OFFLINE))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        "partnerbot: configuration error — the embedding model '/models/minilm' does not load"
        in result.stderr
    )
    # A delivery-only worker never matches a question: it loads no model (and fails on Discord here).
    worker = cli(tmp_path, "worker", env=env | _library(tmp_path / "w", _OFFLINE))
    assert worker.returncode == 1 and "could not start — discord" in worker.stderr
    assert "embedding model" not in worker.stderr


def test_a_model_that_loads_serves_the_commands(tmp_path: Path) -> None:
    result = cli(tmp_path, "topics", "list", env=EMBEDDINGS | _library(tmp_path, _LOADS))
    assert result.returncode == 0, result.stderr
