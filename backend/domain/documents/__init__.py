"""The shared document entity: reference data, stored files (blob store), PDF inspection and page images."""
