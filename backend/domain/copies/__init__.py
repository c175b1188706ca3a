"""Copies (bản sao): sao y, trích sao and sao lục of an agency's issued or received documents (domain.md §4.11)."""
