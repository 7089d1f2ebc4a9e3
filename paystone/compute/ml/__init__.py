"""Deploying experiments: serving endpoints and training VMs."""
