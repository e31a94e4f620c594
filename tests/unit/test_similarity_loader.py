"""The sentence-transformers side of PARTNERBOT_SIMILARITY=embeddings, without the library (no test
dependency): the encoder asks the model for unit vectors and hands back plain floats; a missing
library is an `EncoderUnavailable` naming the extra to install."""

from __future__ import annotations

import logging
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

import pytest

from adapters.similarity import EncoderUnavailable, load_sentence_transformer
from adapters.similarity.loader import SentenceTransformerEncoder


class _Model:
    def __init__(self) -> None:
        self.options: dict[str, Any] = {}

    def encode(self, texts: Sequence[str], **options: Any) -> list[tuple[float, ...]]:
        self.options = options
        return [(0.6, 0.8) for _ in texts]


def test_the_encoder_asks_for_unit_vectors_quietly() -> None:
    model = _Model()
    assert SentenceTransformerEncoder(model).encode(["a", "b"]) == [[0.6, 0.8], [0.6, 0.8]]
    assert model.options == {"normalize_embeddings": True, "show_progress_bar": False}


def test_without_the_library_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # `import` raises ImportError
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(name, "0")  # restored after the test: the loader switches them on
    with pytest.raises(EncoderUnavailable, match=r"pip install 'partnerbot\[embeddings\]'"):
        load_sentence_transformer("/models/minilm")
    assert os.environ["HF_HUB_OFFLINE"] == os.environ["TRANSFORMERS_OFFLINE"] == "1"


class _Library(types.ModuleType):
    """A stand-in sentence_transformers whose model loads."""

    def __init__(self) -> None:
        super().__init__("sentence_transformers")
        self.SentenceTransformer = lambda name, **options: _Model()


class _Torch(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("torch")
        self.threads: list[int] = []

    def set_num_threads(self, n: int) -> None:
        self.threads.append(n)


@pytest.mark.parametrize(("omp", "threads"), [(None, [1]), ("4", [])], ids=["default", "operator's own"])
def test_one_thread_per_encoding_unless_the_operator_says(
    monkeypatch: pytest.MonkeyPatch, omp: str | None, threads: list[int]
) -> None:
    torch = _Torch()
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "sentence_transformers", _Library())
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(name, "0")
    if omp is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", omp)
    encoder = load_sentence_transformer("/models/minilm")
    assert encoder.encode(["a"]) == [[0.6, 0.8]]
    assert torch.threads == threads


@pytest.mark.parametrize(
    ("given", "expected"),
    [((None, None), ("1", "error")), (("0", "info"), ("0", "info"))],
    ids=["default", "operator's own"],
)
def test_no_progress_bar_or_library_chatter_at_start_up(
    monkeypatch: pytest.MonkeyPatch, given: tuple[str | None, str | None], expected: tuple[str, str]
) -> None:
    monkeypatch.setitem(sys.modules, "torch", _Torch())
    monkeypatch.setitem(sys.modules, "sentence_transformers", _Library())
    library_log = logging.getLogger("sentence_transformers")
    monkeypatch.setattr(library_log, "level", logging.NOTSET)  # restored after the test
    monkeypatch.setattr(library_log, "_cache", {})  # the logger's memo of isEnabledFor, likewise
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(name, "0")
    for name, value in zip(("HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY"), given, strict=True):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    load_sentence_transformer("/models/minilm")
    # huggingface_hub reads the first at import, and transformers' "Loading weights" bar follows it.
    assert (os.environ["HF_HUB_DISABLE_PROGRESS_BARS"], os.environ["TRANSFORMERS_VERBOSITY"]) == expected
    assert not library_log.isEnabledFor(logging.INFO)
