"""elb service: Elastic Load Balancing listeners and load balancers."""
