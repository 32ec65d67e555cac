"""Reliability and security: hostile servers, fuzzing, faults, resource bounds, nothing lost."""
