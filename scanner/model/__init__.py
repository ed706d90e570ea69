"""The records that flow through a scan: findings, fixes and the summary; the document."""
