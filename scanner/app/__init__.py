"""Use cases behind the commands: fix (and, as they move here, scan, diff, history, baseline)."""
