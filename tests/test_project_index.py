"""The project index's remembered module lookups: a name missed once is found once a load makes
it known (the lookups are remembered only while what the index knows stays the same)."""

from __future__ import annotations

from collections.abc import Callable

from scanner.facts.base import FileFacts
from scanner.facts.symbols import module_symbols
from scanner.model.document import Document
from scanner.project.index import ProjectIndex

FILES = {"svc/pkg/mod.py": "def handle(request):\n    return request\n",
         "svc/app.py": "from pkg.mod import handle\n"}


def _loader(files: dict[str, str]) -> Callable[[str], FileFacts | None]:
    """A project loader over in-memory files: each file's module symbols."""
    def load(path: str) -> FileFacts | None:
        if path not in files:
            return None
        facts = FileFacts()
        symbols = module_symbols(Document(path, files[path]))
        if symbols is not None:
            facts.add(symbols)
        return facts
    return load


_load = _loader(FILES)


def test_a_module_missed_once_is_found_after_a_load_makes_it_known() -> None:
    index = ProjectIndex({}, _load)
    assert index.module("pkg.mod") is None  # no file at pkg/mod.py: not found (remembered)
    assert index.module("pkg.mod") is None
    index.load("svc/pkg/mod.py")  # the module is known now, under svc.pkg.mod
    found = index.module("pkg.mod")
    assert found is not None and found.path == "svc/pkg/mod.py"
    assert index.resolve(found, "handle") == "svc.pkg.mod.handle"


def test_lookups_of_names_outside_the_project_stay_missed() -> None:
    index = ProjectIndex({}, _load)
    for _ in range(3):
        assert index.module("django.views") is None
    index.load("svc/app.py")
    assert index.module("django.views") is None


CLASSES = {"svc/pkg/bases.py": "class TeamEndpoint:\n    permission_classes = (TeamPermission,)\n",
           "svc/pkg/views.py": "from pkg.bases import TeamEndpoint\n\n\n"
                               "class Settings(TeamEndpoint):\n    def put(self, request):\n"
                               "        return request\n"}


def test_a_class_imported_under_its_package_name_resolves_below_a_deeper_root() -> None:
    """`svc/pkg/views.py` imports `pkg.bases.TeamEndpoint` (the package's own name, the way the
    code runs): the import resolves to the class indexed as `svc.pkg.bases.TeamEndpoint`, so its
    ancestors (and the permissions they set) are known when a monorepo is scanned from its root."""
    index = ProjectIndex({}, _loader(CLASSES), scanned=frozenset(CLASSES))
    views = index.module_of_path("svc/pkg/views.py")
    assert views is not None
    assert index.resolve(views, "TeamEndpoint") == "svc.pkg.bases.TeamEndpoint"
    assert index.class_symbol("svc.pkg.bases.TeamEndpoint") is not None
    assert list(index.mro("svc.pkg.views.Settings")) == ["svc.pkg.views.Settings",
                                                         "svc.pkg.bases.TeamEndpoint"]
