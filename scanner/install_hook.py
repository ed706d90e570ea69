"""`secret-hygiene install-hook`: write our native git hooks into the repository's hooks directory.

The scripts live here (an installed package has no `hooks/` folder); `hooks/` holds identical
copies for people who copy them by hand, and a test keeps the two equal."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MARKER = "# secret-hygiene-managed-hook: installed by `secret-hygiene install-hook`"

PRE_COMMIT = f"""#!/bin/sh
{MARKER}
# Blocks a commit whose staged lines add a credential or another secret-hygiene finding.
# Only what the commit adds is reported; older findings and baselined ones are not.
# Skip once with `git commit --no-verify`.
if ! command -v secret-hygiene >/dev/null 2>&1; then
  echo "secret-hygiene: not found on PATH; install it (pip install secret-hygiene)" \\
       "or skip this check with git commit --no-verify" >&2
  exit 1
fi
exec secret-hygiene diff --staged
"""

PRE_PUSH = f"""#!/bin/sh
{MARKER}
# Scans what a push sends: for each pushed ref, the lines the pushed range adds.
# git gives "<local ref> <local sha> <remote ref> <remote sha>" lines on stdin.
# A range diff does not see a secret added and removed again within one push; for that,
# audit with `secret-hygiene history <remote sha>..<local sha>`.
# Skip once with `git push --no-verify`.
if ! command -v secret-hygiene >/dev/null 2>&1; then
  echo "secret-hygiene: not found on PATH; install it (pip install secret-hygiene)" \\
       "or skip this check with git push --no-verify" >&2
  exit 1
fi
zero=0000000000000000000000000000000000000000
status=0
while read -r local_ref local_sha remote_ref remote_sha; do
  case "$local_sha" in
    *[!0]*) ;;
    *) continue ;;  # a deleted ref sends nothing
  esac
  case "$remote_sha" in
    *[!0]*) known=yes ;;
    *) known=no ;;
  esac
  if [ "$known" = yes ] && git cat-file -e "$remote_sha^{{commit}}" 2>/dev/null; then
    secret-hygiene diff "$remote_sha..$local_sha" </dev/null || status=1
    continue
  fi
  # A new branch (or a remote tip we have not fetched): the commits no remote has yet.
  first=$(git rev-list --reverse --topo-order "$local_sha" --not --remotes | head -n 1)
  [ -n "$first" ] || continue
  if git rev-parse -q --verify "$first^" >/dev/null; then
    secret-hygiene diff "$first^..$local_sha" </dev/null || status=1
  else
    secret-hygiene history "$local_sha" </dev/null || status=1  # a new history
  fi
done
if [ "$status" -ne 0 ]; then
  echo "secret-hygiene: push blocked (fix the findings, baseline them, or git push --no-verify)" >&2
fi
exit "$status"
"""

SCRIPTS = {"pre-commit": PRE_COMMIT, "pre-push": PRE_PUSH}


class InstallError(Exception):
    """Why a hook was not installed (one line)."""


@dataclass(frozen=True)
class Installed:
    path: Path
    action: str  # "installed", "updated", "replaced" (a foreign hook, backed up)
    backup: Path | None = None


def hooks_dir(start: Path) -> Path:
    """The hooks directory git uses for the repository at `start` (honours core.hooksPath)."""
    from scanner.sources import GitError, repo_root, run_git

    try:
        top = repo_root(start)
        # From the top level, a relative core.hooksPath and .git/hooks both resolve the same way.
        raw = run_git(top, "rev-parse", "--git-path", "hooks").decode().strip()
    except GitError as exc:
        raise InstallError(str(exc)) from None
    path = Path(raw)
    return path if path.is_absolute() else top / path


def is_ours(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace").splitlines()[:5]
    except OSError:
        return False
    return MARKER in head


def install(start: Path, hook: str = "pre-commit", *, force: bool = False) -> Installed:
    """Write `hook` into the hooks directory. A hook we did not write is kept unless `force`,
    and then it is backed up next to ours as `<hook>.secret-hygiene-backup`."""
    script = SCRIPTS[hook]
    directory = hooks_dir(start)
    target = directory / hook
    action, backup = "installed", None
    if target.exists() or target.is_symlink():
        if is_ours(target):
            action = "updated"
        elif not force:
            raise InstallError(f"{target} exists and was not written by secret-hygiene; "
                               "use --force to replace it (it is kept as a backup)")
        else:
            backup = directory / f"{hook}.secret-hygiene-backup"
            try:
                os.replace(target, backup)
            except OSError as exc:
                raise InstallError(f"{target}: cannot back up ({exc.strerror})") from None
            action = "replaced"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(script, encoding="utf-8")
        mode = target.stat().st_mode
        target.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRUSR)
    except OSError as exc:
        raise InstallError(f"{target}: cannot write hook ({exc.strerror})") from None
    return Installed(target, action, backup)
