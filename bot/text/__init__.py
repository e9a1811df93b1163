"""Text, the first stage: words and sentences as the index and the questions both see them.

The analyser (normalising, tokenising, stemming), the sentence splitter, aliases, typo rules,
answer types, the word lists, and what a user's message is read for before any search: its
cleaning, its language and its time words. Nothing here knows about articles or an index.
"""
