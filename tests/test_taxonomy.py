import pandas as pd
import pytest

from workbench.taxonomy import Crosswalk, FieldMapping, available_crosswalks, load_crosswalk, load_taxonomy


def test_taxonomy_has_the_exploitation_types_we_report_on():
    codes = set(load_taxonomy().codes("exploitation_types"))
    assert {"sexual_exploitation", "forced_labour", "domestic_servitude", "forced_criminality", "forced_marriage",
            "organ_removal", "child_exploitation", "online_child_sexual_exploitation", "forced_begging"} <= codes


def test_every_packaged_crosswalk_targets_our_codes():
    assert {"harbour_light", "community_form"} <= set(available_crosswalks())
    for name in available_crosswalks():
        load_crosswalk(name)  # raises on a target outside the taxonomy


def test_crosswalk_maps_case_insensitively_and_reports_unmapped():
    walk = load_crosswalk("harbour_light")
    frame = pd.DataFrame({
        "CaseType": ["sex trafficking; Labour  Exploitation", "Space Piracy", ""],
        "Industry": ["Farming", "Not Known", "Unheard Of"],
        "HowRecruited": ["Job Advert", "", ""], "ControlMethods": ["Debt;Juju", "", ""],
        "VictimSex": ["F", "", ""], "VictimAge": ["18-24", "", ""],
    })
    mapped, unmapped = walk.apply(frame)
    assert mapped.loc[0, "exploitation_types"] == ["forced_labour", "sexual_exploitation"]
    assert mapped.loc[0, "means_of_control"] == ["debt_bondage", "juju_or_ritual_oath"]
    assert mapped.loc[1, "sector"] is None  # "Not Known" is the partner's null
    assert {(u.row, u.field, u.value) for u in unmapped} == {(1, "CaseType", "Space Piracy"),
                                                             (2, "Industry", "Unheard Of")}


def test_crosswalk_to_a_code_we_do_not_have_is_refused():
    walk = Crosswalk("bad", {}, (FieldMapping("sector", "S", {"Farm": "farming_typo"}),))
    with pytest.raises(ValueError, match="farming_typo"):
        walk.validate_targets()


def test_crosswalk_names_missing_columns():
    with pytest.raises(ValueError, match="CaseType"):
        load_crosswalk("harbour_light").apply(pd.DataFrame({"Other": [1]}))
