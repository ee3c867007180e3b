"""Reviewing a venture: the panel of reviewers a round's venture gets, and a
reviewer's scores and comment."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from incubator.api.core import Id


class ReviewPanel(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ReviewersIn")

    reviewer_ids: list[Id] = Field(max_length=20)


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion_id: Id
    score: int = Field(ge=0, le=100)


class ReviewSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid", title="VentureReviewIn")

    scores: list[ScoreIn] | None = Field(
        default=None, max_length=12, description="A score 0..100 per criterion"
    )
    score: int | None = Field(
        default=None, ge=0, le=100, description="One score for every criterion"
    )
    comment: str = Field(default="", max_length=5000)
