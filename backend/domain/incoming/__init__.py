"""Incoming documents (văn bản đến): intake, registration and numbering, routing, handling, registers."""
