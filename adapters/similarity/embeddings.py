"""`EmbeddingSimilarity`: the `Similarity` port (bot/ports/similarity.py) by cosine similarity of
embedding vectors, for PARTNERBOT_SIMILARITY=embeddings.

The candidates are the ones the full-text default may offer — the answers given under the
announcement asked about, and the FAQs — a few hundred to a few thousand rows, so they are compared
one by one (no vector index). Each one's vector is computed once from the wording partners are shown
and kept in `faq_embedding` (the `FaqVectorStore`), keyed by question and model; a question costs one
encoding of its own text plus a walk over the kept vectors, page by page. Vectors are filled in
batches by the `faq-vectors` job (`VectorFill`, adapters/similarity/filling.py), never while a whole
backlog waits: a question encodes at most `FILL_PER_QUESTION` candidates without a kept vector (new
or reworded since the job's last run), the first met — the answers under the announcement asked
about come first — and leaves the others out of the comparison until the job has kept theirs. The
best `CANDIDATES` whose cosine similarity with the question reaches the floor
(PARTNERBOT_SIMILARITY_FLOOR) go, best first, through the same audience rules as the full-text
default (`bot.services.similarity.OfferAudience`).

Vectors are L2-normalised here (so a dot product is the cosine) and kept as little-endian float32.
Only `Encoder.encode` runs the model, in a worker thread: the event loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import math
import sys
from array import array
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from operator import mul
from typing import Protocol

from bot.domain.directory import Partner
from bot.domain.faq import FaqCandidate, KeptVector, SimilarAnswer, Wording
from bot.ports.faq import FaqVectorStore
from bot.services.similarity import OfferAudience

PAGE = 500  # FAQs read per page of the walk (their vectors: 1.5 KB each at 384 dimensions)
# Candidates without a vector encoded while one question waits, at most, in one call to the model.
# With all-MiniLM-L6-v2 on one CPU thread a question with nothing kept cost 302-376 ms this way (its
# own text and 4 long bench answers; bench/similarity.py, README "Semantic matching"), and a text
# costs up to ~143 ms on busy cores: 4 keep the wait well under a second, and still let an answer given
# a moment ago under the announcement asked about (met first) be offered before the `faq-vectors`
# job's next run.
FILL_PER_QUESTION = 4
FETCH = 40  # ranked candidates read (and their announcements checked) at a time for the audience rules
# The best-scored candidates handed to the audience rules, at most. FAQs under announcements the
# partner may not see are skipped there, so more than the full-text match's 20 are needed, but not
# every one above a loose floor (hundreds of candidates, each chunk a read and a visibility query).
CANDIDATES = 200


class Encoder(Protocol):
    """An embedding model: one vector per text, every vector of the same length. It is handed a
    batch of texts at once: a model computes a batch far cheaper per text than one text at a time."""

    def encode(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        """Vectors for `texts`, in order, computed as one batch (blocking: called from a worker
        thread)."""
        ...


class EmbeddingSimilarity:
    def __init__(
        self,
        vectors: FaqVectorStore,
        audience: OfferAudience,
        encoder: Encoder,
        *,
        model: str,
        floor: float,
    ) -> None:
        self._vectors = vectors
        self._audience = audience
        self._encoder = encoder
        self._model = model
        self._floor = floor

    async def similar(
        self,
        *,
        text: str,
        channel_id: int,
        partner: Partner | None,
        announcement_id: int | None,
        limit: int,
    ) -> list[SimilarAnswer]:
        if not text.strip() or limit <= 0:
            return []
        [query] = await self._encode([text])
        scores: dict[int, float] = {}
        missing: dict[int, None] = {}  # in the order met: the announcement's answers first
        async for kept in self._offerable(announcement_id):
            if kept.question_id in scores or kept.question_id in missing:
                continue  # an FAQ under the announcement asked about comes twice
            vector = unpack(kept.vector) if kept.vector is not None else None
            if vector is None or len(vector) != len(query):  # none yet, or another model's length
                missing[kept.question_id] = None
            else:
                scores[kept.question_id] = dot(query, vector)
        scores.update(await self._fill(list(missing)[:FILL_PER_QUESTION], query))
        ranked = sorted(
            (item for item in scores.items() if item[1] >= self._floor), key=lambda item: (-item[1], -item[0])
        )[:CANDIDATES]
        return await self._audience.offers(
            self._candidates(ranked),
            channel_id=channel_id,
            partner=partner,
            announcement_id=announcement_id,
            limit=limit,
        )

    async def _offerable(self, announcement_id: int | None) -> AsyncIterator[KeptVector]:
        """The announcement's answers, then every FAQ, a page at a time."""
        if announcement_id is not None:
            for kept in await self._vectors.answer_vectors(
                model=self._model, announcement_id=announcement_id
            ):
                yield kept
        after = 0
        while True:
            page = await self._vectors.faq_vectors(model=self._model, after=after, limit=PAGE)
            for kept in page:
                yield kept
            if len(page) < PAGE:
                return
            after = page[-1].question_id

    async def _fill(self, question_ids: Sequence[int], query: Sequence[float]) -> dict[int, float]:
        """Encode and keep the vectors of these few candidates; their scores against `query`."""
        wordings = await self._vectors.wordings(question_ids)
        encoded = await encode_and_keep(self._vectors, self._encoder, model=self._model, wordings=wordings)
        return {
            wording.question_id: dot(query, vector) for wording, vector in zip(wordings, encoded, strict=True)
        }

    async def _candidates(self, ranked: Sequence[tuple[int, float]]) -> AsyncIterator[Sequence[FaqCandidate]]:
        """The ranked candidates in order, read a chunk at a time (the audience rules stop early)."""
        for start in range(0, len(ranked), FETCH):
            chunk = ranked[start : start + FETCH]
            found = {c.question_id: c for c in await self._vectors.offerable([qid for qid, _ in chunk])}
            # One gone meanwhile (retention) is skipped.
            yield [replace(found[qid], rank=-score) for qid, score in chunk if qid in found]

    async def _encode(self, texts: Sequence[str]) -> list[array[float]]:
        return await encode(self._encoder, texts)


async def encode(encoder: Encoder, texts: Sequence[str]) -> list[array[float]]:
    """The unit vectors of `texts`, computed in one call to the model, in a worker thread."""
    if not texts:
        return []
    vectors = await asyncio.to_thread(encoder.encode, texts)
    return [normalised(vector) for vector in vectors]


async def encode_and_keep(
    vectors: FaqVectorStore, encoder: Encoder, *, model: str, wordings: Sequence[Wording]
) -> list[array[float]]:
    """Encode these answered questions in one call and keep their vectors (each only if its wording
    is still the one encoded: `FaqVectorStore.keep_vectors`); the vectors, in order."""
    encoded = await encode(encoder, [embedded_text(wording) for wording in wordings])
    if encoded:
        await vectors.keep_vectors(
            model=model, vectors=[(w, pack(v)) for w, v in zip(wordings, encoded, strict=True)]
        )
    return encoded


def embedded_text(wording: Wording) -> str:
    """What the model reads for an answered question: the question partners see, then its answer."""
    return f"{wording.question}\n{wording.answer}"


def normalised(vector: Sequence[float]) -> array[float]:
    """`vector` at unit length (a zero vector stays zero: it resembles nothing)."""
    norm = math.sqrt(math.fsum(x * x for x in vector))
    return array("f", (x / norm for x in vector) if norm else vector)


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """The cosine similarity of two unit vectors."""
    return float(sum(map(mul, a, b)))


def pack(vector: array[float]) -> bytes:
    """A unit vector as kept: little-endian float32."""
    if sys.byteorder == "big":
        vector = array("f", vector)
        vector.byteswap()
    return vector.tobytes()


def unpack(data: bytes) -> array[float] | None:
    """A kept vector, or None when the bytes are no float32 vector."""
    if len(data) % 4:
        return None
    vector = array("f")
    vector.frombytes(data)
    if sys.byteorder == "big":
        vector.byteswap()
    return vector
