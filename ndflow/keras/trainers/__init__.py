"""The fit/evaluate/predict loop, kept apart from the model classes."""
