"""cloudfront service: distributions, what they front and what protects them."""
