"""Front Door, classic and Standard/Premium: endpoints, custom domains, routes, security policies,
origins."""
