"""Training: data loading, splitting, fitting and evaluation tasks composed into an Experiment."""
