"""Uploaded files (photos, evidence, receipts): local folder or an S3-compatible
object store (issue 18). Filled in by the storage work."""
