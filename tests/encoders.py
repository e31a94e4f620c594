"""A small deterministic `Encoder` for the embedding matcher's tests (adapters/similarity/): a hashed
bag of words. No model and no ML library: two texts are as close as the significant words (and CJK
character pairs) they share, by bot/domain/faq.py's reading of words, accents and case folded.

`FLOOR` suits it: a question sharing two of its three words with an answered question and its
answer clears it, one shared word in a long text does not."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.domain.faq import significant_words

DIMENSIONS = 1024
FLOOR = 0.3
MODEL = "tests/hashed-words"


def slot(word: str) -> int:
    """A stable slot for `word` (not Python's `hash`, which changes per process)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little") % DIMENSIONS


class HashedWords:
    """`Encoder`: each significant word adds one to its slot; records the texts encoded (`encoded`)
    and the size of each call's batch (`batches`)."""

    def __init__(self) -> None:
        self.encoded: list[str] = []
        self.batches: list[int] = []

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        self.encoded.extend(texts)
        self.batches.append(len(texts))
        return [self.vector(text) for text in texts]

    @staticmethod
    def vector(text: str) -> list[float]:
        vector = [0.0] * DIMENSIONS
        words = significant_words(text)
        for word in words.all:
            vector[slot(word)] += 1.0
        return vector


def cosine(a: str, b: str) -> float:
    """The cosine similarity the matcher computes for two texts with this encoder (plain Python)."""
    x, y = HashedWords.vector(a), HashedWords.vector(b)
    norm = (sum(v * v for v in x) * sum(v * v for v in y)) ** 0.5
    return sum(p * q for p, q in zip(x, y, strict=True)) / norm if norm else 0.0
