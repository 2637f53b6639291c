"""iaclint: checks API gateways in infrastructure as code against an API payload encryption standard."""

__version__ = "0.1.0"
