"""Rendering a run for people and CI systems: text tables, JUnit XML."""
