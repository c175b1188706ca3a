"""The append-only, hash-chained audit log: writer, verifier and viewer."""
