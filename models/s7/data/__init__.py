"""Data for S7 training: the built-in synthetic IMU task (sensors) and user sequences (files)."""
