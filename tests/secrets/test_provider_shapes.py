"""Provider detectors whose import is costly run only on lines with a value of their shape."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support import scan_files

# A fake 44-character IBM Cloud IAM key (never a real credential).
_IAM_KEY = "Xq7vB2nR4tW1zY6aKpQ2LmX8vB7nR4tW1zY6a9f3KpQ2"


def test_ibm_cloud_iam_key_is_still_found() -> None:
    found = scan_files({"app/ibm.py": f'ibm_cloud_iam_key = "{_IAM_KEY}"\n'}, select=["SH106"])
    assert [(f.rule, f.line) for f in found.findings] == [("SH106", 1)]
    assert _IAM_KEY not in found.findings[0].snippet


def test_a_line_that_only_mentions_ibm_does_not_load_the_ibm_detectors() -> None:
    code = textwrap.dedent("""
        import sys
        from tests.support import scan_files
        scan_files({"db/ibm.py": 'IBM_DB_KEY = "ibm_db"  # token for the IBM DB2 backend\\n'},
                   select=["SH1"])
        print(any("ibm_cloud_iam" in name or "ibm_cos" in name for name in sys.modules),
              "urllib3" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.split() == ["False", "False"]
