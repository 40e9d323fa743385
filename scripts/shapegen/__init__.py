"""The pieces of scripts/generate_shapes.py: the model and its Swift names (model.py), the
ConformancePacks files (shapes.py), the ConformanceServer files (server.py) and the test support
file (testsupport.py). Each emitter returns {file name: Swift text}; generate_shapes.py writes them.
"""
