"""The corpus, the second stage: files in a folder read into articles, and what was skipped.

Loading (Markdown with front matter, plain text, JSON Lines), the folder walk that decides which
files are read, and the load report (articles, repeats, warnings naming the file and line).
"""
