"""Adapters: each translates platform events into core calls and renders core replies out.

``render`` holds the rules shared by every platform (segments, clipping, citation wording);
``console``, ``slack`` and ``discord`` each supply only their markup dialect and transport.
"""
