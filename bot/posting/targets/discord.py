"""Post a scheduled meme to one Discord channel through the bot's client.

``client.get_partial_messageable(channel_id).send`` needs no channel cache. Mentions never
ping (``AllowedMentions.none()``). A nonce goes with each send: discord.py sets
``enforce_nonce``, so Discord answers a resend within a few minutes with the message it
already created instead of posting twice (used for in-doubt sends after a crash).
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.posting.errors import PostRejected, TargetUnhealthy, TransientError

log = logging.getLogger(__name__)


class DiscordChannelTarget:
    """One channel; ``problem`` says why the last send failed for good (cleared on success)."""

    def __init__(self, client: discord.Client, channel_id: int) -> None:
        self.client = client
        self.channel_id = channel_id
        self.name = f"discord:{channel_id}"
        self.problem: str | None = None

    async def send(self, text: str, nonce: str | None = None) -> str:
        channel = self.client.get_partial_messageable(self.channel_id)
        try:
            message = await channel.send(
                text, allowed_mentions=discord.AllowedMentions.none(), nonce=nonce
            )
        except discord.Forbidden as exc:
            raise self._unhealthy(
                f"missing permission to post in channel {self.channel_id} ({exc.text or 403}): "
                "give the bot View Channel and Send Messages there"
            ) from None
        except discord.NotFound:
            raise self._unhealthy(
                f"channel {self.channel_id} not found: check SCHEDULE_DISCORD_CHANNEL_IDS "
                "and that the bot is in that server"
            ) from None
        except discord.DiscordServerError as exc:
            raise TransientError(f"Discord server error {exc.status}") from None
        except discord.HTTPException as exc:
            raise PostRejected(f"Discord refused the post: {exc.status} {exc.text}") from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise TransientError(f"Discord connection failed: {type(exc).__name__}") from None
        self.problem = None
        return str(message.id)

    def _unhealthy(self, problem: str) -> TargetUnhealthy:
        self.problem = problem
        log.error("Discord target %s: %s", self.name, problem)
        return TargetUnhealthy(problem)
