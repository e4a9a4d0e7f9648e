"""Classify stage: relevance (0..1) and label (speech / other_speech / other) of a cleaned document."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SPEECH_TITLE = re.compile(r"(在.{2,60}(会|会议|座谈会|仪式|典礼|活动)上的?(讲话|发言|致辞|报告)|讲话|发言)")


@dataclass
class RelevanceModel:
    threshold: float = 0.5

    def classify(self, title: str, text: str) -> tuple[str, float, dict]:
        """First rule: the title's form (在…会上的讲话). Replaced by the relevance model issue."""
        hit = bool(SPEECH_TITLE.search(title or ""))
        score = 0.9 if hit else 0.1
        return ("speech" if score >= self.threshold else "other"), score, {"title_form": hit}

    def score_link(self, anchor: str, context: str = "") -> float:
        return 1.0 if SPEECH_TITLE.search(anchor or "") else 0.0


def load_model(seeds_dir: str | Path | None = None, threshold: float = 0.5) -> RelevanceModel:
    return RelevanceModel(threshold=threshold)
