"""The course's benchmarks (python3 course.py bench runs python -m benchmarks.run): a printed table, never a timed test."""
