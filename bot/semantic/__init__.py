"""The models, the fourth stage: a sentence encoder, its saved vectors, and the reader.

all-MiniLM-L6-v2 run by numpy (sentence vectors, searched by cosine) and the cross-encoder that
reads a question and a sentence together (onnxruntime). They know texts, not questions' rankings.
"""
