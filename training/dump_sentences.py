"""``python -m training.dump_sentences``: the engine's sentences of SQuAD split A, for training.

training/train_encoder.py runs in a separate torch environment without briefbot's dependencies; it
reads the exact sentences the product indexes from this JSON file ([{text, title, article_id}]).
"""

from __future__ import annotations

import json

from bench.data import OUT_DIR, load_squad, records, write_jsonl
from bot.engine import Engine
from bot.settings import Settings


def main() -> None:
    corpus = write_jsonl(OUT_DIR / "squad-a.jsonl", records(load_squad()))
    settings = Settings(_env_file=None, briefbot_corpus=corpus, briefbot_semantic=False)
    engine = Engine.load(settings)
    index = engine.index
    rows = []
    for i in range(len(index)):
        art = engine.articles[int(index.sent_article[i])]
        rows.append(
            {"text": index.sentence_table.text(i), "title": art.title, "article_id": art.id}
        )
    out = OUT_DIR / "sentences.json"
    out.write_text(json.dumps(rows), encoding="utf-8")
    print(f"{len(rows)} sentences -> {out}")


if __name__ == "__main__":
    main()
