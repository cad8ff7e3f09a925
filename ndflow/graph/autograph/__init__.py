"""AutoGraph: converts Python control flow on tensors into ndflow's functional control flow."""
