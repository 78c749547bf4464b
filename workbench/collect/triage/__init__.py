"""Triage of open-source articles: language, relevance, tags, places, dates, confidence.

Two relevance paths share one interface (:class:`Triage`):

- the **lexicon** (default, no model file): the multilingual keyword lexicon
  ``resources/osint_lexicon.yaml`` compiled once into a word-level matcher
  (:class:`LexiconMatcher`: a first-word index with stems, one pass over the words of the
  folded text, false friends such as "drug trafficking" masked first);
- an optional **learned classifier** (:class:`RelevanceClassifier`: character n-gram
  TF-IDF + logistic regression) trained on labelled examples, combined with the lexicon.

Each decision carries a confidence and the reasons an analyst should look at it (weak
term only, a false friend next to exploitation words, classifier disagreement or
uncertainty). :func:`extract_date` reads the date an article mentions.

Modules: :mod:`.lexicon` (loading and matching the lexicon), :mod:`.language`,
:mod:`.geoparse`, :mod:`.dates`, :mod:`.classifier`, :mod:`.pipeline` (:class:`Triage`).
The report's disclosure-controlled tables live in :mod:`workbench.share.osint_triage`.
"""

from workbench.collect.triage.classifier import RelevanceClassifier
from workbench.collect.triage.dates import MONTHS, extract_date
from workbench.collect.triage.geoparse import geoparse_folded
from workbench.collect.triage.language import STOPWORDS, detect_language, detect_language_folded
from workbench.collect.triage.lexicon import LexiconMatcher, Match, lexicon, lexicon_tags, matcher
from workbench.collect.triage.pipeline import LOW_CONFIDENCE_REASONS, REVIEW_BAND, Triage, TriageResult
from workbench.text.fold import fold_text

__all__ = [
    "LOW_CONFIDENCE_REASONS", "MONTHS", "REVIEW_BAND", "STOPWORDS", "LexiconMatcher", "Match",
    "RelevanceClassifier", "Triage", "TriageResult", "detect_language", "detect_language_folded",
    "extract_date", "fold_text", "geoparse_folded", "lexicon", "lexicon_tags", "matcher",
]
