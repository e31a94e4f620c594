"""Loading a sentence-transformers model offline (PARTNERBOT_SIMILARITY_MODEL): a model directory
on disk (one a PyPI package ships, or one saved with `model.save(path)`) or the name of a model
already in the Hugging Face cache. partnerbot never downloads one: the hub is switched off before the
library is imported (`HF_HUB_OFFLINE`, read by huggingface_hub at import) and the load is asked for
local files only. Either failure is an `EncoderUnavailable` whose message says what to install or set.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Sequence
from typing import Any

from adapters.similarity.embeddings import Encoder

INSTALL = "pip install 'partnerbot[embeddings]'"


class EncoderUnavailable(Exception):
    """The configured embedding model cannot be used; the message is one line for the operator."""


class SentenceTransformerEncoder:
    """An `Encoder` over a loaded `SentenceTransformer`, on the CPU unless the model says otherwise."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def encode(self, texts: Sequence[str]) -> list[Sequence[float]]:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
        return [[float(x) for x in vector] for vector in vectors]


def load_sentence_transformer(model: str) -> Encoder:
    """The model `model` (a directory or a cached model name), loaded without the network."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # before the import: huggingface_hub reads it once
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    _quiet()
    try:
        library = importlib.import_module("sentence_transformers")
    except ImportError as exc:
        raise EncoderUnavailable(
            f"PARTNERBOT_SIMILARITY=embeddings needs sentence-transformers, which is not installed: "
            f"run `{INSTALL}` (and install a model package), or set PARTNERBOT_SIMILARITY=fulltext"
        ) from exc
    _one_thread_per_encoding()
    try:
        loaded = library.SentenceTransformer(model, local_files_only=True)
    except Exception as exc:  # the library raises OSError, ValueError, hub errors… for a missing model
        lines = str(exc).strip().splitlines()  # the library's first sentence says why
        reason = lines[0][:200] if lines else type(exc).__name__
        raise EncoderUnavailable(
            f"the embedding model {model!r} does not load offline ({reason}): set "
            "PARTNERBOT_SIMILARITY_MODEL to a model directory on this machine (for example the `model` "
            "folder a model package installs) or to a model already in the Hugging Face cache"
        ) from exc
    return SentenceTransformerEncoder(loaded)


def _quiet() -> None:
    """No progress bars or library chatter in the bot's log (an operator's own settings are kept):
    huggingface_hub reads HF_HUB_DISABLE_PROGRESS_BARS at import, and transformers takes its tqdm
    switch from it (the "Loading weights" bar of every start-up) and its log level from
    TRANSFORMERS_VERBOSITY; sentence-transformers logs each load at INFO. Failures still raise, and
    become `EncoderUnavailable`'s one line."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)


def _one_thread_per_encoding() -> None:
    """PyTorch computes one encoding with every core by default. A question is one short text, and
    beside the event loop and the database's threads those workers wait on each other: on 2 busy
    cores one query took about 500 ms that way and 50 ms on one thread (bench/similarity.py). An
    operator's own OMP_NUM_THREADS is kept."""
    if "OMP_NUM_THREADS" in os.environ:
        return
    try:
        importlib.import_module("torch").set_num_threads(1)
    except (ImportError, AttributeError):  # another backend: its own threading
        return
