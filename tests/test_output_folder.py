"""The output folder: sitegen replaces only a folder that it made.

Every refused case checks that not one byte (and not one file or folder name) changed
anywhere around the site, and that no staging, old or lock folder was left behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import RATES, cli, make_site

from sitegen.build import BuildOptions, build
from sitegen.write import MARKER


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and every folder (None) below `folder`."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def area(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/site (the current folder) beside a sibling file and folder, with a fake home."""
    site = make_site(tmp_path, {"content/guides/a.md": "---\ntitle: A\n---\nText.\n"})
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (site / "README.md").write_text("my clinic's site\n")
    (tmp_path / "sibling.txt").write_text("not sitegen's\n")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "me.jpg").write_bytes(b"\xff\xd8 a photo")
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "todo.txt").write_text("call the clinic\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(site)
    return tmp_path


REFUSED = [
    # (--out as typed in the site folder, what the message says)
    (".", "contains the site's site.yaml file"),  # the site folder holds the sources
    ("{site}", "contains the site's site.yaml file"),
    ("content", "is the site's content folder"),
    ("content/guides", "is inside the site's content folder"),
    ("rates", "is the site's rates folder"),
    ("rates/new", "is inside the site's rates folder"),
    ("templates", "is the site's templates folder"),
    ("templates/assets/x", "is inside the site's templates folder"),
    (".git", "is the site's .git folder"),
    ("..", "contains the site's"),
    ("{area}", "contains the site's"),
    ("{home}", "is your home folder"),
    ("{home}/..", "contains the site's"),
    ("../photos", "already holds files that sitegen did not make"),
]


@pytest.mark.parametrize(("out", "message"), REFUSED)
def test_refused_output_folders_change_nothing(area: Path, out: str, message: str) -> None:
    site, home = area / "site", area / "home"
    out = out.format(site=site, area=area, home=home)
    before = snapshot(area)
    result = cli("build", "--out", out)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Invalid value for --out" in result.output
    assert snapshot(area) == before


@pytest.mark.parametrize("out", [".", "content", "{home}"])
def test_force_never_overrides_the_site_or_home(area: Path, out: str) -> None:
    out = out.format(home=area / "home")
    before = snapshot(area)
    result = cli("build", "--force", "--out", out)
    assert result.exit_code == 2, result.output
    assert "--force" not in result.output.split("Invalid value for --out")[1]
    assert snapshot(area) == before


def test_the_filesystem_root_is_refused(area: Path) -> None:
    top = set(Path("/").iterdir())
    result = cli("build", "--force", "--out", "/")
    assert result.exit_code == 2
    assert "is the filesystem root" in result.output
    assert set(Path("/").iterdir()) == top  # no ..staging or lock file


def test_a_link_to_the_site_is_refused(area: Path) -> None:
    (area / "link").symlink_to(area / "site")
    before = snapshot(area / "site")
    result = cli("build", "--out", area / "link")
    assert result.exit_code == 2 and "contains the site's" in result.output
    assert snapshot(area / "site") == before


def test_force_replaces_only_the_named_folder(area: Path) -> None:
    before = snapshot(area)
    result = cli("build", "--force", "--out", "../photos")
    assert result.exit_code == 0, result.output
    after = snapshot(area)
    ours = ("photos", "site/.sitegen-cache")  # the output, and the build cache (README)
    assert {k: v for k, v in after.items() if not k.startswith(ours)} == \
        {k: v for k, v in before.items() if not k.startswith(ours)}
    assert (area / "photos" / MARKER).is_file() and not (area / "photos" / "me.jpg").exists()


def test_a_folder_sitegen_made_is_replaced_without_force(area: Path) -> None:
    assert cli("build", "--out", "../out").exit_code == 0
    assert (area / "out" / MARKER).is_file()
    (area / "out" / "stale.html").write_text("old page")
    assert cli("build", "--out", "../out").exit_code == 0
    assert not (area / "out" / "stale.html").exists()
    assert cli("build").exit_code == 0           # the default public/ is new, so it is ours
    assert cli("build").exit_code == 0           # and then it carries the marker
    assert sorted(p.name for p in area.iterdir()) == ["home", "out", "photos", "sibling.txt",
                                                      "site"]


def test_an_empty_folder_and_an_older_sitegen_output_are_accepted(area: Path) -> None:
    (area / "empty").mkdir()
    assert cli("build", "--out", "../empty").exit_code == 0
    legacy = area / "legacy"
    legacy.mkdir()
    for name in (".nojekyll", "cms-hpt.txt", "sitemap.xml", "index.html"):
        (legacy / name).write_text("")
    assert cli("build", "--out", legacy).exit_code == 0
    assert (legacy / MARKER).is_file()


def test_a_failed_write_leaves_no_staging_and_the_old_site(
        area: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = area / "site"
    assert cli("build").exit_code == 0
    good = snapshot(area)
    calls = 0
    real = Path.write_bytes

    def failing(self: Path, data: bytes) -> int:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError(28, "No space left on device")
        return real(self, data)

    (site / "rates" / "a.yaml").write_text(RATES.replace("120.00", "125.00"))
    with monkeypatch.context() as patch, pytest.raises(OSError):
        patch.setattr(Path, "write_bytes", failing)
        build(BuildOptions(root=site))
    after = snapshot(area)
    assert {k: v for k, v in after.items() if k != "site/rates/a.yaml"} == \
        {k: v for k, v in good.items() if k != "site/rates/a.yaml"}
