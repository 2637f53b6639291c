"""Application Gateway: listeners, SSL policy and profiles, inline WAF, firewall policy link."""
