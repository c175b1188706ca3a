"""Outgoing documents (văn bản đi): drafting, review, signing, numbering, seal, issue, tracking, recall."""
