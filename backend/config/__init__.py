"""Configuration: typed settings read from the environment, and logging set-up."""
