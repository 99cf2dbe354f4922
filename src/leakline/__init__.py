"""leakline: incident response for data leaks through Salesforce CRM integrations."""

__version__ = "0.1.0"
