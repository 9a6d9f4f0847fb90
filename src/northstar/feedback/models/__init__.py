"""Feedback's tables, one file per noun. Importing the package registers every one of them with the metadata, so
``from northstar.feedback.models import Feedback`` is all a caller needs."""

from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.models.curation import (
    DuplicateDismissal,
    KindOverride,
    TaxonomyCategory,
    TaxonomyLabel,
    TaxonomyModelVersion,
    TaxonomyPrediction,
)
from northstar.feedback.models.imports import FeedbackForm, FeedbackImportUpload
from northstar.feedback.models.items import SOURCES, Feedback
from northstar.feedback.models.themes import FeedbackIdeaVector, FeedbackThemeLock, FeedbackThemeOverride

__all__ = [
    "SOURCES",
    "DuplicateDismissal",
    "Feedback",
    "FeedbackAnalysis",
    "FeedbackForm",
    "FeedbackIdeaVector",
    "FeedbackImportUpload",
    "FeedbackTheme",
    "FeedbackThemeLock",
    "FeedbackThemeOverride",
    "KindOverride",
    "TaxonomyCategory",
    "TaxonomyLabel",
    "TaxonomyModelVersion",
    "TaxonomyPrediction",
]
