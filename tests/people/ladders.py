"""Small hand-made ladders shared by the people tests."""

from __future__ import annotations

from typing import Any

from northstar.people.engine.ladder import Ladder, ladder_from_dict


def tiny_ladder_doc() -> dict[str, Any]:
    """Two levels, five behaviours each, one mandatory per level; plus a branch for two tracks."""

    def five(level: str) -> list[dict[str, Any]]:
        return [
            {"id": f"{level}-{n}", "text": f"{level} behaviour {n}", "mandatory": n == 1} for n in range(1, 6)
        ]

    return {
        "name": "Tiny",
        "tracks": {"shared": "Shared", "ic": "IC", "management": "Management"},
        "levels": [
            {"code": "a", "title": "A", "track": "shared", "follows": None},
            {"code": "b", "title": "B", "track": "shared", "follows": "a"},
            {"code": "ic", "title": "IC", "track": "ic", "follows": "b"},
            {"code": "mg", "title": "MG", "track": "management", "follows": "b"},
        ],
        "competency_areas": [
            {
                "id": "craft",
                "name": "Craft",
                "competencies": [
                    {
                        "id": "work",
                        "name": "Work",
                        "behaviours": {"a": five("a"), "b": five("b"), "ic": five("ic"), "mg": five("mg")},
                    }
                ],
            }
        ],
    }


def tiny_ladder() -> Ladder:
    return ladder_from_dict(tiny_ladder_doc())
