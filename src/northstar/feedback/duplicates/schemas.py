"""Shapes of the duplicates review API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from northstar.feedback.duplicates.service import DuplicateReview
from northstar.feedback.models import Feedback
from northstar.feedback.ownership import MAX_BULK


class DuplicateItem(BaseModel):
    id: int
    text: str
    source: str
    customer_id: int | None
    received_at: str

    @classmethod
    def of(cls, item: Feedback) -> DuplicateItem:
        return cls(
            id=item.id,
            text=item.text[:2000],
            source=item.source,
            customer_id=item.customer_id,
            received_at=item.received_at.isoformat(),
        )


class DuplicateCandidateOut(DuplicateItem):
    matched_with_id: int
    similarity: float | None = Field(description="cosine similarity of the two texts' embeddings")
    exact: bool = Field(description="the same text once case, punctuation and spacing are ignored")


class DuplicateGroupOut(BaseModel):
    lead: DuplicateItem
    candidates: list[DuplicateCandidateOut]


class DuplicateReviewOut(BaseModel):
    groups: list[DuplicateGroupOut]
    total_groups: int
    total_items: int
    dismissed_pairs: int
    page: int
    per_page: int

    @classmethod
    def of(cls, review: DuplicateReview) -> DuplicateReviewOut:
        return cls(
            groups=[
                DuplicateGroupOut(
                    lead=DuplicateItem.of(group.lead),
                    candidates=[
                        DuplicateCandidateOut(
                            **DuplicateItem.of(c.item).model_dump(),
                            matched_with_id=c.matched_with_id,
                            similarity=c.similarity,
                            exact=c.exact,
                        )
                        for c in group.candidates
                    ],
                )
                for group in review.groups
            ],
            total_groups=review.total_groups,
            total_items=review.total_items,
            dismissed_pairs=review.dismissed_pairs,
            page=review.page,
            per_page=review.per_page,
        )


class MergeRequest(BaseModel):
    survivor_id: int = Field(description="the item that stays in the inbox")
    feedback_ids: list[int] = Field(min_length=1, max_length=MAX_BULK, description="the items merged into it")


class MergeResultOut(BaseModel):
    survivor_id: int
    merged_ids: list[int]
    links_moved: int
    importance_raised: int
    votes: int | None
    idea_ids: list[int]


class PairRequest(BaseModel):
    first_id: int
    second_id: int


class DismissalOut(BaseModel):
    first_id: int
    second_id: int
    created_at: str
