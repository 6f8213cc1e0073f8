"""Error clusters: near-duplicates, shared distinctive terms, slices, sizes and shares."""

from __future__ import annotations

from modgate.evaluate import PredictionRecord, PredictionTable, error_clusters, slice_attributes


def _run() -> tuple[PredictionTable, dict[str, str]]:
    records, texts = [], {}
    for i in range(120):
        item_id = f"i{i:03d}"
        if i < 12:  # false positives: news reports quoting a slur
            gold, predicted, text = False, True, f"breaking news report {i} quotes the insult"
        elif i < 18:  # false negatives: one evasive message copied around
            gold, predicted, text = True, False, "you people are v e r m i n go back home now"
        elif i < 22:  # other false negatives
            gold, predicted, text = True, False, f"subtle remark number {i} about them"
        else:
            gold = i % 2 == 0
            predicted = gold
            text = f"ordinary chat line {i} with some words" + (" insult" if gold else "")
        community = "politics" if i < 12 else f"c{i % 3}"
        records.append(PredictionRecord(item_id=item_id, gold=gold, predicted=predicted,
                                        score=0.9 if predicted else 0.1,
                                        slices=slice_attributes(policy="hate",
                                                                community=community)))  # fmt: skip
        texts[item_id] = text
    return PredictionTable.from_records(records), texts


def test_errors_group_into_term_and_near_duplicate_clusters_with_their_slices() -> None:
    table, texts = _run()
    clusters = error_clusters(table, texts)
    fp = [c for c in clusters if c.kind == "false_positive"]
    fn = [c for c in clusters if c.kind == "false_negative"]
    n_fp = int((table.predicted & ~table.gold).sum())
    n_fn = int((~table.predicted & table.gold).sum())
    assert sum(c.size for c in fp) == n_fp and sum(c.size for c in fn) == n_fn
    assert abs(sum(c.share for c in fp) - 1.0) < 1e-9
    news = next(c for c in fp if c.basis == "term")
    assert news.label in ('term "news"', 'term "breaking"', 'term "report"', 'term "quotes"')
    assert news.size == 12 and news.slices[0] == ("community=politics", 1.0)
    dupes = next(c for c in fn if c.basis == "near_duplicates")
    assert dupes.size == 6 and abs(dupes.share - 6 / n_fn) < 1e-9
    assert all(e.item_id in {f"i{i:03d}" for i in range(12, 18)} for e in dupes.examples)
    assert len(dupes.examples) == 3 and dupes.examples[0].text


def test_no_errors_no_clusters() -> None:
    table, texts = _run()
    perfect = PredictionTable.from_records(
        [
            PredictionRecord(item_id=i, gold=bool(g), predicted=bool(g))
            for i, g in zip(table.item_ids, table.gold, strict=True)
        ]  # fmt: skip
    )
    assert error_clusters(perfect, texts) == []
