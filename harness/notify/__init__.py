"""Telling the outside world about a run: metrics for CloudWatch, and alerts (routing,
de-duplication and lifecycle in `lifecycle`, the channels, delivery with retries)."""
