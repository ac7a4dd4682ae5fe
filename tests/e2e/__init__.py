"""Browser tests: the designer driven with the mouse in Chromium against a live server and real workers."""
