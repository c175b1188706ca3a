"""Work files (hồ sơ) and the file catalogue (danh mục hồ sơ), domain.md §4.9–4.10 and §14."""
