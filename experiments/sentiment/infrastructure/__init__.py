"""Hardware for training and serving this experiment."""
