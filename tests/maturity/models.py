"""A tiny hand-made maturity model for the scoring tests."""

from __future__ import annotations

from typing import Any

from northstar.maturity.engine.model import MaturityModel, model_from_dict


def cap(code: str, level: int, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "level": level,
        "question": f"Q{code}{level}?",
        "recommendation": f"Do {code}.",
        "feature": "f",
    } | extra


def tiny_doc() -> dict[str, Any]:
    """Two functions, three areas:

    process / alpha: A@1, B@3, C@5       process / beta: A@2, B@4 (scale-up and enterprise only)
    people / gamma: A@1, B@2, C@6, D@8
    """
    return {
        "name": "Tiny",
        "max_level": 8,
        "partial_credit": 0.5,
        "stages": {
            "startup": {"label": "Startup", "target_level": 2},
            "scale-up": {"label": "Scale-up", "target_level": 5},
            "enterprise": {"label": "Enterprise", "target_level": 8},
        },
        "features": {"f": {"name": "Feature", "path": "/f"}},
        "business_functions": [
            {
                "id": "process",
                "name": "Process",
                "focus_areas": [
                    {"id": "alpha", "name": "Alpha", "capabilities": [cap("A", 1), cap("B", 3), cap("C", 5)]},
                    {
                        "id": "beta",
                        "name": "Beta",
                        "capabilities": [cap("A", 2), cap("B", 4, stages=["scale-up", "enterprise"])],
                    },
                ],
            },
            {
                "id": "people",
                "name": "People",
                "focus_areas": [
                    {
                        "id": "gamma",
                        "name": "Gamma",
                        "capabilities": [cap("A", 1), cap("B", 2), cap("C", 6), cap("D", 8)],
                    }
                ],
            },
        ],
    }


def tiny_model() -> MaturityModel:
    return model_from_dict(tiny_doc())
