"""`secret-hygiene install-hook`: write our native git hooks into the repository's hooks directory.

The scripts live here (an installed package has no `hooks/` folder); `hooks/` holds identical
copies for people who copy them by hand, and a test keeps the two equal."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from scanner.safe_io import FileSafetyError, default_mode, open_directory, read_file

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


def hooks_dir(start: Path) -> tuple[Path, Path | None]:
    """The hooks directory git uses for the repository at `start` (honours core.hooksPath), and
    the work tree when that directory lies in it outside `.git` (a committed directory, whose
    links are never followed)."""
    from scanner.sources import GitError, repo_root, run_git

    try:
        top = repo_root(start)
        # From the top level, a relative core.hooksPath and .git/hooks both resolve the same way.
        raw = run_git(top, "rev-parse", "--git-path", "hooks").decode().strip()
    except GitError as exc:
        raise InstallError(str(exc)) from None
    path = Path(raw) if Path(raw).is_absolute() else top / raw
    inside = os.path.abspath(path).startswith(os.path.join(os.path.abspath(top), ""))
    in_git_dir = os.path.abspath(path).startswith(os.path.join(os.path.abspath(top), ".git", ""))
    return path, top if inside and not in_git_dir else None


def is_ours(path: Path) -> bool:
    """Whether `path` is a hook we wrote: a regular file (never a link) with our marker."""
    try:
        head = read_file(path, what="hook", limit=1 << 20, root=path.parent)
    except (OSError, FileSafetyError):
        return False
    return MARKER in head.decode("utf-8", "replace").splitlines()[:5]


def install(start: Path, hook: str = "pre-commit", *, force: bool = False) -> Installed:
    """Write `hook` into the hooks directory. A hook we did not write is kept unless `force`,
    and then it is kept next to ours as `<hook>.secret-hygiene-backup` (or `.1`, `.2`, ...: an
    earlier backup is never overwritten)."""
    script = SCRIPTS[hook]
    directory, root = hooks_dir(start)
    target = directory / hook
    action, backup = "installed", None
    if os.path.lexists(target):
        if is_ours(target):
            action = "updated"
        elif not force:
            raise InstallError(f"{target} exists and was not written by secret-hygiene; "
                               "use --force to replace it (it is kept as a backup)")
        else:
            backup = _back_up(target)
            action = "replaced"
            if not stat.S_ISREG(os.lstat(target).st_mode):
                os.unlink(target)  # a link or FIFO, now kept as the backup: ours is a new file
    try:
        if root is None:
            os.makedirs(directory, exist_ok=True)
        with open_directory(directory, root=root, create=True) as hooks:
            hooks.write(hook, script.encode("utf-8"), what="hook",
                        mode=default_mode(0o777) | stat.S_IXUSR | stat.S_IRUSR)
    except OSError as exc:
        raise InstallError(f"{target}: cannot write hook ({exc.strerror})") from None
    except FileSafetyError as exc:
        raise InstallError(str(exc)) from None
    return Installed(target, action, backup)


def _back_up(target: Path) -> Path:
    """Keep the foreign hook under the first free backup name: a hard link, which fails rather
    than replace an existing name (the hook itself stays in place until ours replaces it)."""
    for number in range(1000):
        backup = target.with_name(f"{target.name}.secret-hygiene-backup"
                                  + (f".{number}" if number else ""))
        try:
            os.link(target, backup, follow_symlinks=False)
            return backup
        except FileExistsError:
            continue
        except OSError as exc:
            if os.path.lexists(backup):
                continue
            try:  # a file system without hard links: rename, the name checked free just now
                os.rename(target, backup)
            except OSError:
                raise InstallError(f"{target}: cannot back up ({exc.strerror})") from None
            return backup
    raise InstallError(f"{target}: cannot back up (1000 backups exist already)")
