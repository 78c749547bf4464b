"""MinHash + LSH near-duplicate clustering on planted syndicated copies."""

import subprocess
import sys

import numpy as np
import pandas as pd

from workbench.collect import dedupe


def story(rng, vocab, words=60):
    return " ".join(rng.choice(vocab, size=words))


def syndicate(rng, text):
    words = text.split()
    keep = int(len(words) * rng.uniform(0.75, 1.0))
    prefix = str(rng.choice(["UPDATE:", "Exclusive:", "WATCH:", ""]))
    return f"{prefix} " + " ".join(words[:keep]) + " Follow the Evening Wire for more news."


def planted(seed=0, n_stories=30, max_copies=6):
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(3000)])
    texts, truth = [], []
    for s in range(n_stories):
        base = story(rng, vocab)
        for c in range(int(rng.integers(1, max_copies + 1))):
            texts.append(base if c == 0 else syndicate(rng, base))
            truth.append(s)
    return texts, np.array(truth)


def same_partition(a, b):
    pairs = pd.DataFrame({"a": a, "b": b})
    return (pairs.groupby("a")["b"].nunique() == 1).all() and (pairs.groupby("b")["a"].nunique() == 1).all()


def test_planted_copies_are_one_story_each():
    texts, truth = planted()
    labels = dedupe.cluster(dedupe.signatures(texts))
    assert same_partition(labels, truth)


def test_forty_outlets_one_story():
    rng = np.random.default_rng(1)
    base = story(rng, np.array([f"v{i}" for i in range(500)]), 80)
    texts = [base] + [syndicate(rng, base) for _ in range(39)] + ["an unrelated short note about the weather"]
    labels = dedupe.cluster(dedupe.signatures(texts))
    assert len(set(labels[:40])) == 1 and labels[40] != labels[0]


def test_jaccard_estimate_is_close_to_the_truth():
    words = [f"t{i}" for i in range(400)]
    a, b = " ".join(words[:300]), " ".join(words[100:400])  # word 3-grams: 198 shared of 398 -> 0.497
    sig = dedupe.signatures([a, b])
    est = dedupe.estimated_jaccard(sig, np.array([0]), np.array([1]))[0]
    assert abs(est - 198 / 398) < 0.12


def test_signatures_are_stable_across_processes_and_folding():
    text = "Police free 12 victims of forced labour in Almería"
    here = dedupe.signatures([text, "POLICE free 12 victims of forced labour in almeria!"])
    assert (here[0] == here[1]).all()  # case, accents and punctuation are folded away
    code = ("import sys; from workbench.collect.dedupe import signatures; "
            f"sys.stdout.write(','.join(map(str, signatures([{text!r}])[0][:8])))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": ""}, cwd=str(__import__("pathlib").Path(__file__).parents[1]))
    assert out.stdout == ",".join(map(str, here[0][:8]))


def test_empty_and_short_texts():
    sig = dedupe.signatures(["", None, "hi", "hi", "two words"])
    labels = dedupe.cluster(sig)
    assert labels[0] != labels[1]  # empty texts match nothing, not each other
    assert labels[2] == labels[3] and labels[2] != labels[4]


def test_window_and_stored_stories():
    rng = np.random.default_rng(3)
    base = story(rng, np.array([f"x{i}" for i in range(800)]))
    sig = dedupe.signatures([base, syndicate(rng, base), syndicate(rng, base)])
    stored_time = [pd.Timestamp("2026-03-01", tz="UTC")]
    new_time = [pd.Timestamp("2026-03-03", tz="UTC"), pd.Timestamp("2026-05-01", tz="UTC")]
    story_ids = dedupe.assign_stories(["n1", "n2"], new_time, sig[1:], ["old"], stored_time, sig[:1], window_days=14)
    assert list(story_ids) == ["old", "n2"]  # a copy two days later joins; two months later is a new event
    within = dedupe.assign_stories(["b", "a"], [new_time[0], new_time[0]], sig[1:])
    assert list(within) == ["a", "a"]  # same time: the smaller id starts the story


def test_story_keys_join_near_duplicate_stories():
    from workbench.collect.dedupe import merge_story_keys

    # b is a copy of stored story S; c shares a text story key with b; d stands alone; e and f share a key
    story = ["S", "c", "d", "e", "f"]
    keys = ["k1", "k1", None, "k2", "k2"]
    out = merge_story_keys(story, keys, ["b", "c", "d", "e", "f"],
                           ["2026-03-02", "2026-03-01", "2026-03-01", "2026-03-05", "2026-03-04"])
    assert list(out) == ["S", "S", "d", "f", "f"]
