import math

import pytest

from scaling import ChinchillaLaw, published
from scaling.published import (
    BESIROGLU2024,
    DEVRIES2023,
    HOFFMANN2022,
    HOFFMANN2022_UNROUNDED,
    KAPLAN2020,
    MODELS,
)


def test_kaplan_attributes_exist_with_units():
    for name in ["alpha_N", "N_c", "alpha_D", "D_c", "alpha_C", "C_c", "alpha_C_min", "C_c_min",
                 "alpha_B", "B_star", "alpha_S", "S_c"]:
        value = getattr(KAPLAN2020, name)
        assert isinstance(value, float) and value > 0
    assert "2001.08361" in KAPLAN2020.source
    # Figure 1's legend and the text disagree on the C_min scale; both are kept.
    assert KAPLAN2020.C_c_min == 3.1e8 and KAPLAN2020.C_c_min_figure1 == 2.3e8
    # Figure 13's legend and Table 5 disagree on the naive L(C) scale; both are kept.
    assert KAPLAN2020.C_c == 1.6e7 and KAPLAN2020.C_c_figure13 == 2.0e7


def test_chinchilla_laws_are_laws_with_citations():
    for law in [HOFFMANN2022, HOFFMANN2022_UNROUNDED, BESIROGLU2024, DEVRIES2023]:
        assert isinstance(law, ChinchillaLaw)
        assert law.source
    assert HOFFMANN2022_UNROUNDED.E == pytest.approx(math.exp(0.5267228))
    assert HOFFMANN2022_UNROUNDED.A == pytest.approx(406.401, abs=1e-3)
    assert HOFFMANN2022_UNROUNDED.B == pytest.approx(410.723, abs=1e-3)
    assert set(published.CHINCHILLA_LAWS) == {"printed", "unrounded", "replicated", "devries"}


def test_models():
    chin = MODELS["Chinchilla"]
    assert chin.compute == pytest.approx(5.88e23)
    assert chin.tokens_per_parameter == pytest.approx(20.0)
    assert MODELS["GPT-3 175B"].tokens_per_parameter == pytest.approx(300 / 175)
    with pytest.raises(ValueError, match="not published"):
        MODELS["GPT-2 XL"].compute


def test_table_reader_errors_name_the_choices():
    with pytest.raises(FileNotFoundError, match="no transcribed table 'nope'"):
        published.table("nope")
