"""The pieces of scripts/generate_shapes.py: the model and its Swift names (model.py) and the
ConformancePacks files (shapes.py). Each emitter returns {file name: Swift text}; generate_shapes.py
writes them.
"""
