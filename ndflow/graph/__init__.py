"""Graphs: tracing Python functions into graphs, AutoGraph, optimisation and compilation."""
