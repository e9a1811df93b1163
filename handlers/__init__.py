"""Adapters: each translates platform events into core calls and renders core replies out.

``render`` holds the rules shared by every platform (segments, clipping, citation wording);
``console``, the ``slack`` package and the ``discord`` package each supply only their markup
dialect and transport; ``cli`` is the ``briefbot`` command.
"""
