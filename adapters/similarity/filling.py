"""`VectorFill`: the `VectorFiller` port (bot/ports/similarity.py) for `EmbeddingSimilarity`, run by
the `faq-vectors` job (bot/jobs.py) in the process that runs the jobs.

It walks the answered questions an embedding matcher may offer that have no vector for the
configured model yet (every one, right after a model is configured), by question id, a page of
`FILL_BATCH` at a time, and encodes each page in one call to the model — sentence-transformers
computes a batch far cheaper per text than texts one by one, and a page at a time never holds a
table in memory. A vector whose wording an admin changed while the model was encoding is not kept
(`FaqVectorStore.keep_vectors`); the next run encodes the new wording.
"""

from __future__ import annotations

from adapters.similarity.embeddings import Encoder, encode_and_keep
from bot.ports.faq import FaqVectorStore

# Texts per call to the model: all-MiniLM-L6-v2 on one CPU thread costs about the same per text from
# 8 texts a batch up (22 ms quiet, 689 ms a batch of 32), and a batch of 32 keeps a question that is
# encoded meanwhile from waiting long for the CPU.
FILL_BATCH = 32


class VectorFill:
    def __init__(
        self, vectors: FaqVectorStore, encoder: Encoder, *, model: str, batch: int = FILL_BATCH
    ) -> None:
        self._vectors = vectors
        self._encoder = encoder
        self._model = model
        self._batch = batch

    async def fill(self, *, limit: int) -> int:
        encoded = 0
        after = 0
        while encoded < limit:
            wanted = min(self._batch, limit - encoded)
            page = await self._vectors.missing_vectors(model=self._model, after=after, limit=wanted)
            await encode_and_keep(self._vectors, self._encoder, model=self._model, wordings=page)
            encoded += len(page)
            if len(page) < wanted:
                break
            # Past this page even where a vector was not kept (reworded meanwhile): the next run
            # meets it again, with its new wording.
            after = page[-1].question_id
        return encoded
