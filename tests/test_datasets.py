"""The data loaders: real files from SCALING_DATA_DIR, and every error path on fakes."""

import builtins
import dataclasses
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scaling import datasets

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Point the loaders at an empty folder and an empty user cache, with no network."""
    data = tmp_path / "data"
    cache = tmp_path / "cache"
    data.mkdir()
    monkeypatch.setenv(datasets.ENV_VAR, str(data))
    monkeypatch.setattr(datasets.pooch, "os_cache", lambda name: cache)

    def offline(url, known_hash, fname, path, **kwargs):
        Path(path).mkdir(parents=True, exist_ok=True)  # as pooch.retrieve does before it downloads
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
    entry = datasets.REGISTRY["summary_df.pickle.xz"]
    monkeypatch.setitem(datasets.REGISTRY, entry.name,
                        dataclasses.replace(entry, sha256=hashlib.sha256(b"ok").hexdigest()))
    got = datasets.fetch("summary_df.pickle.xz")
    assert got.read_text() == "ok"
    assert "859f146abdb9c03f679fb04e9a870402f5585757" in calls["url"]
    assert calls["known_hash"] == "sha256:" + hashlib.sha256(b"ok").hexdigest()
    assert calls["path"] == isolated  # the writable SCALING_DATA_DIR is the cache


def test_a_download_is_verified_again_as_it_is_read(isolated, monkeypatch, tmp_path):
    """What pooch checked is re-read and checked once more: the bytes used are the bytes verified."""
    def fake_retrieve(url, known_hash, fname, path, progressbar):
        (tmp_path / fname).write_text("not the file")
        return str(tmp_path / fname)

    monkeypatch.setattr(datasets.pooch, "retrieve", fake_retrieve)
    with pytest.raises(datasets.ChecksumMismatchError, match="SHA-256"):
        datasets.fetch_bytes("summary_df.pickle.xz")


def test_a_data_dir_that_exists_but_is_read_only_sends_downloads_to_the_cache(isolated, monkeypatch, tmp_path):
    calls = {}

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls["path"] = path
        raise ConnectionError("offline")

    monkeypatch.setattr(datasets.pooch, "retrieve", fake_retrieve)
    monkeypatch.setattr(datasets.os, "access", lambda path, mode: False)
    with pytest.raises(datasets.DataFileMissingError):
        datasets.fetch("svg_extracted_data.csv")
    assert calls["path"] == tmp_path / "cache"


# ------------------------------------------------------------ issue 10, section 5: verify and load the same bytes
SHARED = Path(os.environ.get(datasets.ENV_VAR, "/nonexistent"))
needs_shared = pytest.mark.skipif(not (SHARED / "svg_extracted_data.csv").is_file(),
                                  reason="needs the shared data folder (SCALING_DATA_DIR) with the real files")


@pytest.fixture
def fresh_caches():
    """The loaders memoise what they read: start and end each test without that memory."""
    datasets._chinchilla_raw.cache_clear()
    datasets._porian_raw_cached.cache_clear()
    yield
    datasets._chinchilla_raw.cache_clear()
    datasets._porian_raw_cached.cache_clear()


def _on_open(monkeypatch, target, hook):
    """Call ``hook(n)`` before the n-th opening (1, 2, ...) of ``target`` by any reader (pooch, pandas, lzma)."""
    real_open = builtins.open
    count = {"n": 0}

    def opener(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and Path(file).resolve() == target.resolve():
            count["n"] += 1
            hook(count["n"])
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", opener)
    monkeypatch.setattr(io, "open", opener)
    return count


def _swap_after_first_read(monkeypatch, target, forged: bytes):
    """A concurrent writer: the file is replaced by ``forged`` right after it is first opened and read."""
    def hook(n):
        if n == 2:  # a reader came back to the path: the writer got there first
            target.write_bytes(forged)
    return _on_open(monkeypatch, target, hook)


@needs_shared
def test_a_csv_swapped_after_verification_is_never_loaded(isolated, monkeypatch, fresh_caches):
    target = isolated / "svg_extracted_data.csv"
    shutil.copyfile(SHARED / target.name, target)
    forged = b"Model Size,Training FLOP,loss\n1e9,1e20,9.99\n"
    count = _swap_after_first_read(monkeypatch, target, forged)
    runs = datasets.chinchilla_runs()
    assert len(runs) == 245 and runs["loss"].max() < 5.1  # the verified file, not the forged one
    assert count["n"] == 1  # read once: verified and parsed from the same bytes


@needs_shared
def test_a_pickle_swapped_after_verification_is_never_unpickled(isolated, monkeypatch, fresh_caches):
    """Unpickling runs code from the file: only bytes whose SHA-256 passed may reach pickle."""
    name = datasets.PORIAN_FILES["rw_kaplan_tuned"]
    target = isolated / name
    shutil.copyfile(SHARED / name, target)
    buffer = io.BytesIO()
    pd.DataFrame({"forged": [1]}).to_pickle(buffer, compression="xz")
    count = _swap_after_first_read(monkeypatch, target, buffer.getvalue())
    settings = datasets.porian_settings("rw_kaplan_tuned")
    assert "forged" not in settings.columns and len(settings) > 0
    assert count["n"] == 1


def test_an_unreadable_file_is_a_data_error_naming_it(isolated, monkeypatch):
    """Mode 000 (tests run as root, who may read anything: the refusal is simulated at open)."""
    target = isolated / "svg_extracted_data.csv"
    target.write_text("x\n")

    def refuse(n):
        raise PermissionError(13, "Permission denied", str(target))

    _on_open(monkeypatch, target, refuse)
    with pytest.raises(datasets.DataError) as info:
        datasets.fetch("svg_extracted_data.csv")
    msg = str(info.value)
    assert str(target) in msg and "Permission denied" in msg
    assert "chmod" in msg and datasets.ENV_VAR in msg  # what to do
    assert isinstance(info.value, OSError)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 file; the simulated case above covers it")
def test_a_mode_000_file_is_a_data_error(isolated):
    target = isolated / "svg_extracted_data.csv"
    target.write_text("x\n")
    target.chmod(0)
    with pytest.raises(datasets.DataError, match="cannot be read"):
        datasets.fetch("svg_extracted_data.csv")


def test_a_data_dir_that_does_not_exist_is_not_created(isolated, monkeypatch, tmp_path):
    missing = tmp_path / "nowhere" / "data"
    monkeypatch.setenv(datasets.ENV_VAR, str(missing))
    with pytest.raises(datasets.DataFileMissingError) as info:
        datasets.fetch("svg_extracted_data.csv")
    assert not (tmp_path / "nowhere").exists()
    assert str(missing) in str(info.value) and "does not exist" in str(info.value)


def test_a_relative_data_dir_says_how_it_was_resolved(isolated, monkeypatch, tmp_path):
    """The README's old advice, SCALING_DATA_DIR=../shared/data, read from a notebook's folder."""
    kernel_dir = tmp_path / "clone" / "book" / "chinchilla"
    kernel_dir.mkdir(parents=True)
    monkeypatch.chdir(kernel_dir)
    monkeypatch.setenv(datasets.ENV_VAR, "../shared/data")
    with pytest.raises(datasets.DataFileMissingError) as info:
        datasets.fetch("svg_extracted_data.csv")
    msg = str(info.value)
    assert "'../shared/data'" in msg and "relative" in msg
    assert str(kernel_dir) in msg  # resolved against the current folder...
    assert str(tmp_path / "clone" / "book" / "shared" / "data") in msg  # ...to this
    assert "absolute" in msg
    assert not (tmp_path / "clone" / "book" / "shared").exists()  # and nothing made under the clone


def test_a_folder_with_the_file_name_is_not_reported_missing(isolated):
    (isolated / "svg_extracted_data.csv").mkdir()
    with pytest.raises(datasets.DataError) as info:
        datasets.fetch("svg_extracted_data.csv")
    msg = str(info.value)
    assert "not on disk" not in msg
    assert "is a folder" in msg and str(isolated / "svg_extracted_data.csv") in msg


def test_readme_way_to_run_one_notebook_works_verbatim(tmp_path):
    """Run the README's export line from a clone's root, then load data from a notebook's folder."""
    if not (SHARED / "svg_extracted_data.csv").is_file():
        pytest.skip("needs the shared data folder (SCALING_DATA_DIR) with the real files")
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running one notebook locally", 1)[1].split("\n## ", 1)[0]
    (export,) = [line.split("#")[0].strip() for line in section.splitlines()
                 if line.startswith("export " + datasets.ENV_VAR)]
    clone = tmp_path / "clone"
    (clone / "book" / "chinchilla").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(SHARED)
    env = {k: v for k, v in os.environ.items() if k != datasets.ENV_VAR}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), https_proxy="http://127.0.0.1:9", HTTPS_PROXY="")
    script = (f'{export} && cd book/chinchilla && "{sys.executable}" -c '
              '"from scaling import datasets; print(len(datasets.chinchilla_runs()))"')
    res = subprocess.run(["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip() == "245"
    assert not (clone / "book" / "shared").exists()


@pytest.mark.parametrize("call, argument", [
    (lambda: datasets.fetch(123), "name"),
    (lambda: datasets.fetch(None), "name"),
    (lambda: datasets.fetch(["svg_extracted_data.csv"]), "name"),
    (lambda: datasets.fetch_bytes(b"svg_extracted_data.csv"), "name"),
    (lambda: datasets.fetch("nope.csv"), "name"),
    (lambda: datasets.fetch(""), "name"),
    (lambda: datasets.porian_runs(["rw"]), "which"),
    (lambda: datasets.porian_settings(None), "which"),
    (lambda: datasets.porian_optima(1.5), "which"),
    (lambda: datasets.porian_runs("nope"), "which"),
    (lambda: datasets.chinchilla_runs(np.bool_(True)), "drop_highest_loss"),
    (lambda: datasets.chinchilla_runs(None), "drop_highest_loss"),
    (lambda: datasets.chinchilla_runs(float("nan")), "drop_highest_loss"),
    (lambda: datasets.chinchilla_runs(-1), "drop_highest_loss"),
])
def test_bad_arguments_are_value_or_type_errors_naming_the_argument(call, argument):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert argument in str(info.value)


def test_unknown_names_stay_key_errors_too():
    """Callers that caught KeyError for an unknown name keep working."""
    with pytest.raises(KeyError):
        datasets.fetch("nope.csv")
    with pytest.raises(KeyError):
        datasets.porian_runs("nope")
    assert "unknown data file 'nope.csv'" in str(pytest.raises(KeyError, datasets.fetch, "nope.csv").value)


@needs_shared
def test_fetch_bytes_returns_the_verified_bytes():
    data = datasets.fetch_bytes("svg_extracted_data.csv")
    assert hashlib.sha256(data).hexdigest() == datasets.REGISTRY["svg_extracted_data.csv"].sha256
