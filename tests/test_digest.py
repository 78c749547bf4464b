import pandas as pd

from workbench.share.digest import Snapshot, compare, known_on, snapshot


def test_compare_finds_new_intensified_surges_and_corridors():
    t0, t1 = pd.Timestamp("2026-09-30"), pd.Timestamp("2026-10-31")
    before = Snapshot(t0, {"a": "hot_90", "b": "hot_99"}, {"GBR"}, {("ROU", "GBR"): 20, ("NGA", "ESP"): 12})
    after = Snapshot(t1, {"a": "hot_99", "b": "hot_99", "c": "hot_95"}, {"GBR", "POL"},
                     {("ROU", "GBR"): 21, ("NGA", "ESP"): 30, ("UKR", "POL"): 15})
    out = compare(before, after)
    assert out["new_hotspots"].to_dict("records") == [{"h3_cell": "c", "class now": "hot_95"}]
    assert out["intensified_hotspots"].to_dict("records") == [
        {"h3_cell": "a", "class before": "hot_90", "class now": "hot_99"}]
    assert out["new_surges"]["series"].tolist() == ["POL"]
    assert out["new_corridors"].to_dict("records") == [{"origin": "UKR", "destination": "POL", "incidents": 15}]
    assert out["growing_corridors"][["origin", "destination"]].values.tolist() == [["NGA", "ESP"]]


def test_known_on_rebuilds_what_was_known(use_home):
    from workbench import catalog

    incidents = catalog.load("incidents")
    cut = pd.Timestamp("2026-06-30")
    known = known_on(incidents, cut)
    assert 0 < len(known) < len(incidents)
    assert (known["reported_at"].dt.tz_convert(None) < cut + pd.Timedelta(days=1)).all()


def test_snapshots_on_the_demo_are_consistent(use_home):
    from workbench import catalog

    incidents = catalog.load("incidents")
    snap = snapshot(incidents, pd.Timestamp("2026-11-20"), k=10)
    assert all(n >= 10 for n in snap.corridors.values())
    assert set(snap.hot_cells.values()) <= {"hot_90", "hot_95", "hot_99"}
    same = compare(snap, snap)
    assert all(frame.empty for frame in same.values())
