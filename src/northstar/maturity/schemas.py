"""Input shapes of the maturity module."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

StageName = Literal["startup", "scale-up", "enterprise"]


class AnswerIn(BaseModel):
    answer: Literal["yes", "partial", "no", "na"]
    note: str = Field(default="", max_length=2000)


class AssessmentCreate(BaseModel):
    stage: StageName
    assessed_on: date | None = None
    answers: dict[str, AnswerIn] = Field(default_factory=dict)
