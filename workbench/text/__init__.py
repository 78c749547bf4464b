"""Text helpers shared by every phase: folding, dates as sources write them, PII scrubbing."""

from workbench.text.fold import fold, fold_text

__all__ = ["fold", "fold_text"]
