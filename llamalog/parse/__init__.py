"""Turning raw log records into fields: format notation, kernels, timestamps, levels."""
