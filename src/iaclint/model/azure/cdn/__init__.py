"""Classic Azure CDN (Microsoft.Cdn/profiles/endpoints): endpoints and their custom domains."""
