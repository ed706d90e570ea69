"""SH301: a view open to anyone, routed beside a receiver of the same package that verifies its
sender, is that sender's lifecycle callback (`installed`) and needs the same check."""

from __future__ import annotations

from pathlib import Path

from tests.support import scan_dir, scan_files

PROJECT = Path(__file__).parent.parent / "fixtures" / "webhooks" / "rw_lifecycle"


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_an_open_lifecycle_callback_beside_verified_receivers_is_reported() -> None:
    views = PROJECT / "deskapp" / "views.py"
    installed = _line(views, "class InstalledView") + 4
    findings = scan_dir(PROJECT, select=["SH301"]).findings
    assert [(f.path, f.line) for f in findings] == [("deskapp/views.py", installed)]
    assert "routed beside `EventsView.post`, which verifies its sender" in findings[0].message


def test_the_callback_is_silent_once_it_verifies_too() -> None:
    views = (PROJECT / "deskapp" / "views.py").read_text()
    files = {str(p.relative_to(PROJECT)): p.read_text() for p in PROJECT.rglob("*.py")}
    files["deskapp/views.py"] = views.replace(
        "        payload = request.data\n",
        "        try:\n            decode_marketplace_jwt(request)\n"
        "        except MarketplaceTokenError:\n            return Response(status=401)\n"
        "        payload = request.data\n")
    assert scan_files(files, select=["SH301"]).findings == []


def test_open_views_without_a_verifying_sibling_are_not_receivers() -> None:
    """Remove the two verifying views: the open `installed` view is a public endpoint like a
    sign-up form, nothing says a third party posts to it."""
    files = {str(p.relative_to(PROJECT)): p.read_text() for p in PROJECT.rglob("*.py")}
    files["deskapp/urls.py"] = files["deskapp/urls.py"].replace(
        '    path("uninstalled/", UninstalledView.as_view()),\n'
        '    path("events/", EventsView.as_view()),\n', "")
    assert scan_files(files, select=["SH301"]).findings == []
