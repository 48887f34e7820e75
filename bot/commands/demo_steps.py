"""The steps of ``deepciso demo``, each reusing its output when it is already there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import paths
from pipeline.model_folder import METADATA_FILE, TOKENIZER_FILE, read_metadata

SAMPLE_DB = "sample.twint.db"


@dataclass
class Demo:
    workdir: Path
    minutes: float = 4.0
    preset: str = "small"

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db = self.workdir / SAMPLE_DB
        self.corpus_path = self.workdir / "model.txt"
        self.tokenizer_path = self.workdir / TOKENIZER_FILE
        self.model_dir = self.workdir / "trained_model"
        self.run_dir = self.workdir / "runs" / "trained_model"
        self.ledger = self.workdir / "demo-ledger.db"
        self._step = 0

    def _say(self, title: str) -> None:
        self._step += 1
        print(f"\n{self._step}. {title}", flush=True)

    def sample_database(self) -> None:
        from pipeline.corpus.sample_db import make_sample_db

        self._say("sample Twint database (made-up infosec accounts, Twint's newest schema)")
        if self.db.exists():
            print(f"   reusing {self.db}")
            return
        make_sample_db(self.db)
        print(f"   wrote {self.db}")

    def corpus(self) -> None:
        from pipeline.corpus.build import BuildOptions, build_corpus

        self._say(f"corpus: each author's best tweets -> {self.corpus_path}")
        if self.corpus_path.exists():
            print(f"   reusing {self.corpus_path}")
            return
        report = build_corpus(BuildOptions(db=self.db, out=self.corpus_path))
        print("   " + report.summary().replace("\n", "\n   "))

    def tokenizer(self) -> None:
        from pipeline.train.tokenizer import ensure_tokenizer

        self._say(f"byte-level BPE tokenizer -> {self.tokenizer_path}")
        existed = self.tokenizer_path.exists()
        tokenizer = ensure_tokenizer(self.tokenizer_path, self.corpus_path)
        verb = "reusing" if existed else "trained"
        print(f"   {verb} {self.tokenizer_path} ({tokenizer.get_vocab_size():,} entries)")

    def model(self) -> None:
        from pipeline.train.config import TrainConfig
        from pipeline.train.loop import train

        self._say(f"model: the '{self.preset}' preset for {self.minutes:g} minutes on this machine")
        # (a run interrupted before saving a model starts over)
        if (self.model_dir / METADATA_FILE).exists():
            print(f"   reusing {self.model_dir}")
            return
        config = TrainConfig(
            corpus=self.corpus_path, out=self.model_dir, preset=self.preset,
            tokenizer=self.tokenizer_path, time_limit=self.minutes, steps=100_000,
            eval_every=50, sample_every=0, run_dir=self.run_dir, overwrite=True,
        )  # fmt: skip
        result = train(config)
        print(
            f"   {result.steps:,} steps, {result.tokens:,} tokens; best validation "
            f"{result.best_val_bpb:.3f} bits per byte ({result.stopped})"
        )

    def memes(self, prompts: Sequence[str], per_prompt: int = 3) -> None:
        from pipeline.contentfilter import ContentFilter, Target, clean_memes
        from pipeline.generate.generator import Generator

        self._say("memes (every one passed the content filter)")
        generator = Generator.load(self.model_dir)
        content_filter = ContentFilter(corpus=self.corpus_path)
        for prompt in (None, *prompts):
            print(f"   {'no prompt' if prompt is None else repr(prompt)}:")
            for _ in range(per_prompt):
                prompts = [prompt] if prompt else []
                [result] = clean_memes(generator, prompts, content_filter, Target.DISCORD)
                if result.text is not None:
                    content_filter.remember_posted(result.text)
                print(f"     - {result.summary()}")
        self.generator, self.content_filter = generator, content_filter

    def scheduled_post(self) -> None:
        """One slot through the real scheduler code, with targets that print, not send."""
        import asyncio

        from bot.posting.ledger import Ledger, utcnow
        from bot.posting.settings import ScheduleSettings
        from bot.posting.slots import SlotRunner
        from bot.posting.targets.console import ConsoleTarget
        from pipeline.contentfilter import LengthRules, clean_memes

        self._say(
            f"one scheduled post, as a dry run (nothing leaves this machine) -> {self.ledger}"
        )
        targets = [
            ConsoleTarget(name="discord:0", label="   would post to Discord #memes:"),
            ConsoleTarget(name="x", label="   would post to X (fits its weighted 280):"),
        ]

        async def make_meme(lengths: LengthRules):
            results = await asyncio.to_thread(
                clean_memes, self.generator, (), self.content_filter, lengths
            )
            return results[0]

        def remember(text: str) -> None:
            self.content_filter.remember_posted(text)

        ledger = Ledger(self.ledger)
        try:
            settings = ScheduleSettings(ledger_path=self.ledger)
            runner = SlotRunner(settings, ledger, targets, make_meme, remember)
            slot_id = asyncio.run(runner.run("demo", utcnow()))
            print(f"   ledger, slot {slot_id}: {runner.summary(slot_id)}")
        finally:
            ledger.close()

    def goodbye(self) -> None:
        plot = next(self.run_dir.glob("*.png"), self.run_dir / "loss.png")
        metadata = read_metadata(self.model_dir)
        print(
            f"""
Done. What the demo made, in {self.workdir}/:
  model         {self.model_dir}  (validation {metadata.get("val_bits_per_byte", 0):.3f} bits/byte)
  loss plot     {plot}
  corpus        {self.corpus_path}  (report: {paths.report_path(self.corpus_path)})
  demo ledger   {self.ledger}

To go live with your own community:
  1. deepciso build --input your-export && deepciso train    (model.txt -> trained_model/)
     (an X archive, twscrape, Discord, Mastodon or Bluesky export, CSV, text: docs/sources.md)
  2. cp .env.example .env, then fill in DISCORD_TOKEN (and X, Bluesky or Mastodon keys)
  3. deepciso bot --sync        (once: registers /deepciso with Discord)
  4. deepciso bot               (answers /deepciso prompt and posts on schedule)
Try the bot without Discord first: deepciso bot --console"""
        )
