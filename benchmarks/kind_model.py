"""Default kind model: train on Mini-BAR (MIT), report per-class F1 on held-out English reviews, sentiment vs stars.

Prints, for problem report (→ ``bug``) and feature request, precision / recall / F1 of (a) the embedding model alone,
(b) the model + cue-phrase rules (what ships), and (c) a keyword-rules-only baseline; the macro-F1 of the two classes;
and Spearman's correlation between predicted sentiment and the star rating. ``--write-artefact`` stores the trained
model in the package (src/northstar/feedback/engine/models/kind-minibar-v1.npz).

Run: ``.venv/bin/python benchmarks/kind_model.py [--write-artefact]``
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from _feedback_common import embed, machine_note, markdown_table, shared_data, write_results
from northstar.feedback.engine.kind import _BUG_CUES, _REQUEST_CUES, DEFAULT_MODEL
from northstar.feedback.engine.kind_training import read_minibar, split, train_kind_model


def prf(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(predicted & (truth == 1)))
    precision = tp / max(1.0, float(predicted.sum()))
    recall = tp / max(1.0, float(truth.sum()))
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return 100 * precision, 100 * recall, 100 * f1


def main() -> None:
    rows = read_minibar(shared_data() / "feedback" / "minibar" / "for_classification")
    started = time.perf_counter()
    vectors = embed([r.text for r in rows])
    embed_seconds = time.perf_counter() - started
    training, held_out = split(rows)
    started = time.perf_counter()
    model = train_kind_model(rows, vectors, training)
    train_seconds = time.perf_counter() - started
    texts = [rows[i].text for i in held_out]
    x = vectors[held_out]
    truth = {
        "problem report (bug)": np.array([rows[i].problem_report for i in held_out]),
        "feature request": np.array([rows[i].feature_request for i in held_out]),
    }
    with_rules = model.probabilities(texts, x)
    plain = (1 / (1 + np.exp(-(x @ model.bug_weights + model.bug_bias))),
             1 / (1 + np.exp(-(x @ model.request_weights + model.request_bias))))  # fmt: skip
    thresholds = (model.bug_threshold, model.request_threshold)
    cues = (_BUG_CUES, _REQUEST_CUES)
    table: list[list[Any]] = []
    data: dict[str, Any] = {"held_out": len(held_out), "trained_on": len(training), "classes": {}}
    macro: dict[str, list[float]] = {"model + rules": [], "model only": [], "rules only": []}
    for c, (name, y) in enumerate(truth.items()):
        variants = {
            "model + rules": with_rules[c] >= thresholds[c],
            "model only": plain[c] >= 0.5,
            "rules only": np.array([bool(cues[c].search(t)) for t in texts]),
        }
        for variant, predicted in variants.items():
            p, r, f = prf(predicted, y)
            macro[variant].append(f)
            table.append([name, variant, f"{p:.1f}", f"{r:.1f}", f"{f:.1f}", int(y.sum())])
            data["classes"].setdefault(name, {})[variant] = {"precision": p, "recall": r, "f1": f}
    for variant, values in macro.items():
        table.append(["**macro-F1 (2 classes)**", variant, "", "", f"**{np.mean(values):.1f}**", ""])
    data["macro_f1"] = {k: float(np.mean(v)) for k, v in macro.items()}
    stars = np.array([rows[i].stars for i in held_out])
    sentiment = model.sentiment(x)
    rho = float(spearmanr(sentiment, stars).statistic)
    data["sentiment_spearman"] = rho
    kinds = [p.kind for p in model.predict(texts, x)]
    distribution = {k: kinds.count(k) for k in sorted(set(kinds))}
    data["kind_distribution"] = distribution
    body = (
        f"Mini-BAR: trained on {len(training)} reviews (English + French), evaluated on {len(held_out)} held-out "
        f"English reviews. Embedding {len(rows)} reviews took {embed_seconds:.0f} s; training {train_seconds:.1f} s. "
        f"Machine: {machine_note()}.\n\n"
        + markdown_table(["class", "variant", "precision", "recall", "F1", "positives"], table)
        + f"\n\nSentiment vs star rating on the held-out reviews: Spearman ρ = **{rho:.3f}**.\n\n"
        + f"Kinds predicted on the held-out reviews: {distribution}.\n"
    )
    write_results("kind_model", "Default kind model (Mini-BAR held-out English reviews)", body, data)
    if "--write-artefact" in sys.argv:
        DEFAULT_MODEL.parent.mkdir(parents=True, exist_ok=True)
        model.save(DEFAULT_MODEL)
        print(f"wrote {DEFAULT_MODEL} ({DEFAULT_MODEL.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
