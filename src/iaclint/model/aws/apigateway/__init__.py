"""apigateway service: platform facts and what they mean for the standard."""
