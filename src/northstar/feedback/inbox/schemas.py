"""Shapes of the inbox API: an item with what the analysis, people and the taxonomy say, and bulk actions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from northstar.feedback.inbox.service import Annotation
from northstar.feedback.models import Feedback
from northstar.feedback.ownership import MAX_BULK
from northstar.feedback.schemas import FeedbackRead


class InboxItemRead(FeedbackRead):
    """A feedback item as the inbox lists it."""

    analysed: bool = False
    kind: str | None = None
    kind_confidence: float | None = None
    kind_set_by_person: bool = False
    sentiment: float | None = None
    sentiment_band: str | None = None
    language: str | None = None
    theme_id: int | None = None
    theme_name: str | None = None
    category_id: int | None = None
    category_name: str | None = None
    category_confidence: float | None = Field(
        default=None, description="the model's confidence; null when labelled"
    )
    category_labelled: bool = False
    merged_count: int = Field(default=0, description="items merged into this one")

    @classmethod
    def build(cls, item: Feedback, note: Annotation | None) -> InboxItemRead:
        """The item's own fields (``meta`` is the model's name for ``metadata``) and its annotation, validated once."""
        fields = {name: getattr(item, name) for name in _ITEM_FIELDS}
        fields["meta"] = item.meta
        if note is not None:
            fields.update(vars(note))
        return cls.model_validate(fields)


_ITEM_FIELDS = tuple(name for name in FeedbackRead.model_fields if name != "metadata")


class BulkIds(BaseModel):
    feedback_ids: list[int] = Field(min_length=1, max_length=MAX_BULK)


class BulkKind(BulkIds):
    kind: str | None = Field(default=None, description="null goes back to the analysed kind")


class BulkTheme(BulkIds):
    theme_id: int


class BulkResult(BaseModel):
    changed: int
