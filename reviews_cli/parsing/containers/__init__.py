"""Containers for the dumps other tools make (see :mod:`..detect` for the registry): lists of
message objects written by Telethon / Pyrogram scripts, snscrape and tdl (:mod:`.message_json`),
and message tables kept as CSV (:mod:`.csv_table`). Each yields one :class:`~..post.Post` per
message, streamed, and decides nothing about reviews."""
