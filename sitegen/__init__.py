"""sitegen: turn clinic fee schedules and Markdown explainers into a static price site."""

__version__ = "0.1.0"
