"""An answered question's `faq_document` row as an answer that may be offered (bot.domain.faq): one
reading for the full-text candidates (faq.py) and the embedding matcher's (faq_vectors.py)."""

from __future__ import annotations

from typing import Any

from bot.domain.faq import FaqCandidate


def candidate(row: Any, rank: float) -> FaqCandidate:
    """A `faq_document` row (with its channel's partner) as an answer that may be offered."""
    return FaqCandidate(
        question_id=row.question_id,
        announcement_id=row.announcement_id,
        channel_id=row.channel_id,
        partner_id=row.partner_id,
        question=row.shown_question,
        answer=row.shown_answer,
        folded=f"{row.question}\n{row.answer}",
        faq=bool(row.faq),
        rank=rank,
    )
