"""Running the product: liveness, health and metrics endpoints for load balancers and
Prometheus. Project-level, like `jobs.py`: it reads every part and belongs to none."""
