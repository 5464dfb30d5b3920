"""The data loaders: real files from SCALING_DATA_DIR, and every error path on fakes."""

import pytest

from scaling import datasets


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Point the loaders at an empty folder and an empty user cache, with no network."""
    data = tmp_path / "data"
    cache = tmp_path / "cache"
    data.mkdir()
    monkeypatch.setenv(datasets.ENV_VAR, str(data))
    monkeypatch.setattr(datasets.pooch, "os_cache", lambda name: cache)

    def offline(*args, **kwargs):
        raise ConnectionError("network is unreachable")

    monkeypatch.setattr(datasets.pooch, "retrieve", offline)
    return data


def test_chinchilla_runs_shape_and_columns():
    df = datasets.chinchilla_runs()
    assert list(df.columns) == ["N", "D", "C", "loss"]
    assert len(df) == 245
    assert (df[["N", "D", "C", "loss"]] > 0).all().all()
    assert ((6 * df["N"] * df["D"]) / df["C"]).sub(1).abs().max() < 1e-12
    assert df["N"].min() == pytest.approx(5.7e7, rel=0.05)
    assert df["loss"].max() == pytest.approx(5.01, abs=0.01)


def test_dropping_the_five_highest_losses():
    full = datasets.chinchilla_runs()
    kept = datasets.chinchilla_runs(drop_highest_loss=5)
    assert len(kept) == 240
    assert kept["loss"].max() < full["loss"].nlargest(5).min()
    assert full["loss"].nlargest(5).min() == pytest.approx(3.45, abs=0.005)  # README: losses 3.45 to 5.01


@pytest.mark.parametrize("bad", [-1, 245, 2.5, True])
def test_drop_argument_checked(bad):
    with pytest.raises((ValueError, TypeError)):
        datasets.chinchilla_runs(drop_highest_loss=bad)


def test_porian_runs_are_tidy():
    runs = datasets.porian_runs("rw")
    assert {"setting", "budget", "N", "tokens", "loss"} <= set(runs.columns)
    assert runs["setting"].nunique() == 5
    assert (runs[["budget", "N", "tokens", "loss"]] > 0).all().all()
    # tokens = budget / 6N, as the sweeps define compute.
    assert ((6 * runs["N"] * runs["tokens"]) / runs["budget"]).sub(1).abs().max() < 1e-6


def test_porian_settings_carry_their_exponents():
    s = datasets.porian_settings("rw").set_index("setting")
    assert s.loc["rw/base/long/kaplan/kaplan", "n_exponent"] == pytest.approx(0.83, abs=0.01)
    assert s.loc["rw/tuned/short/const/standard", "n_exponent"] == pytest.approx(0.50, abs=0.01)
    opt = datasets.porian_optima("rw")
    assert {"budget", "N_opt", "tokens_opt", "loss_opt"} <= set(opt.columns)


def test_unknown_names():
    with pytest.raises(KeyError, match="unknown data file"):
        datasets.fetch("nope.csv")
    with pytest.raises(KeyError, match="unknown Porian"):
        datasets.porian_runs("nope")


def test_missing_file_without_network_says_what_to_do(isolated):
    with pytest.raises(datasets.DataFileMissingError) as info:
        datasets.fetch("svg_extracted_data.csv")
    msg = str(info.value)
    assert "svg_extracted_data.csv" in msg
    assert str(isolated) in msg  # where it looked
    assert datasets.ENV_VAR in msg  # how to fix it
    assert isinstance(info.value, FileNotFoundError)


def test_corrupt_file_in_data_dir_is_refused_without_advice_to_delete(isolated):
    """A file in SCALING_DATA_DIR may be a shared copy: replace it or look elsewhere, never delete."""
    (isolated / "svg_extracted_data.csv").write_text("x,y\n1,2\n")
    with pytest.raises(datasets.ChecksumMismatchError, match="SHA-256") as info:
        datasets.fetch("svg_extracted_data.csv")
    msg = str(info.value)
    assert str(isolated) in msg
    assert datasets.ENV_VAR in msg
    assert "replace it with a good copy" in msg
    assert "unset it" in msg
    assert "delete it and run again" not in msg.lower()
    assert (isolated / "svg_extracted_data.csv").exists()  # refused, not removed


def test_corrupt_cached_download_says_delete_it(isolated, monkeypatch, tmp_path):
    """A bad file in the user cache is ours to remove: the advice is to delete it and fetch it again."""
    monkeypatch.delenv(datasets.ENV_VAR)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "svg_extracted_data.csv").write_text("x,y\n1,2\n")
    with pytest.raises(datasets.ChecksumMismatchError, match="SHA-256") as info:
        datasets.fetch("svg_extracted_data.csv")
    msg = str(info.value)
    assert str(cache) in msg
    assert "cached download: delete it and run again" in msg
    assert datasets.REGISTRY["svg_extracted_data.csv"].url in msg


def test_corrupt_file_in_cache_beside_a_data_dir_says_delete_it(isolated, tmp_path):
    """With SCALING_DATA_DIR set but lacking the file, a bad copy in the user cache is still a cache."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "svg_extracted_data.csv").write_text("x,y\n1,2\n")
    with pytest.raises(datasets.ChecksumMismatchError, match="cached download: delete it"):
        datasets.fetch("svg_extracted_data.csv")


def test_download_path_is_used_when_file_absent(isolated, monkeypatch, tmp_path):
    """With the network, pooch.retrieve is asked for the pinned URL and checksum."""
    calls = {}

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.update(url=url, known_hash=known_hash, path=path)
        target = tmp_path / fname
        target.write_text("ok")
        return str(target)

    monkeypatch.setattr(datasets.pooch, "retrieve", fake_retrieve)
    got = datasets.fetch("summary_df.pickle.xz")
    assert got.read_text() == "ok"
    assert "859f146abdb9c03f679fb04e9a870402f5585757" in calls["url"]
    assert calls["known_hash"] == "sha256:" + datasets.REGISTRY["summary_df.pickle.xz"].sha256
    assert calls["path"] == isolated  # the writable SCALING_DATA_DIR is the cache
