"""Shapes of the taxonomy API: categories, labels, models and predictions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from northstar.feedback.ownership import MAX_BULK


class CategoryCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)


class CategoryUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)


class CategoryRead(BaseModel):
    id: int
    name: str
    description: str
    labels: int = 0
    predicted: int = 0


class LabelRequest(BaseModel):
    feedback_ids: list[int] = Field(min_length=1, max_length=MAX_BULK)
    category_id: int | None = None
    category: str | None = Field(
        default=None, max_length=120, description="a category name, instead of its id"
    )

    @model_validator(mode="after")
    def _one_category(self) -> LabelRequest:
        if self.category_id is None and not (self.category or "").strip():
            raise ValueError("give category_id or category (a name)")
        return self


class LabelResult(BaseModel):
    changed: int


class ModelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: datetime
    labels_used: int
    held_out: int
    accuracy: float | None


class ConfusedPair(BaseModel):
    actual: str
    predicted: str
    count: int


class CategoryQuality(BaseModel):
    category: str
    scored: int
    correct: int


class ModelReportOut(ModelRead):
    categories: int
    skipped: dict[str, str]
    top_classes: list[str]
    confusion: list[list[int]] = Field(
        description="cross-validated counts, rows = actual, columns = predicted"
    )
    confused_pairs: list[ConfusedPair]
    per_category: list[CategoryQuality] = Field(
        default_factory=list, description="cross-validated accuracy per category, most items first"
    )


class PredictionRead(BaseModel):
    feedback_id: int
    text: str
    category_id: int
    category: str
    confidence: float


class TaxonomyOverviewOut(BaseModel):
    categories: list[CategoryRead]
    labelled: int
    predicted: int
    model: ModelReportOut | None
    review: list[PredictionRead]
    ready: bool
    reason: str
    label_origins: dict[str, int]
    job_id: int | None
    job_status: str | None
