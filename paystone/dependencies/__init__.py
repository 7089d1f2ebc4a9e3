"""Python dependencies: hashed locks per experiment and their installation inside Bazel."""
