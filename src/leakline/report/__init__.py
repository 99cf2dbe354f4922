"""Reports: timeline, HTML (single offline file), PDF, JSON and Markdown for each audience."""
