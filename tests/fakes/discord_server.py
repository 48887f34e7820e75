"""A small Discord-compatible server on loopback: a gateway (websocket) and the bot's REST routes.

The real discord.py client connects to it unmodified: point ``discord.http.Route.BASE`` at
:attr:`FakeDiscord.api_base` (the bot does it from ``DISCORD_API_BASE``); ``AutoShardedBot`` asks
``GET /gateway/bot`` for the gateway URL, which answers :attr:`FakeDiscord.gateway_url`.

What it speaks, as Discord does: HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeat ACK and
INTERACTION_CREATE dispatch on the gateway (one connection per shard), for slash commands
(type 2, :meth:`FakeDiscord.invoke`) and button presses (type 3 MESSAGE_COMPONENT, with
``data.custom_id``, the message and the member's roles: :meth:`FakeDiscord.press`); interaction
callbacks (4 message, 5 defer, 7 UPDATE_MESSAGE of the pressed message; the 40060 "already
acknowledged" error), original-response edit and delete, follow-ups, channel messages with
their components and their edits, and application command sync over REST. Unknown routes
answer 404 with Discord's error body, so a gap fails loudly. Every REST call is recorded
(:attr:`calls`), with its JSON body, for assertions; :func:`pinged_ids` says whom a message
would notify.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

# The one token the fake accepts; shaped like a real bot token (DISCORD_TOKEN is checked).
FAKE_TOKEN = "MTA0NjYxNzY5NjgxNjE5OTgxMA.GfAkE1.fake-token-for-the-loopback-discord-only"
DISCORD_EPOCH_MS = 1_420_070_400_000
EPHEMERAL = 1 << 6
EVERYONE_PERMISSIONS = str(0x0000_0400 | 0x0000_0800 | 0x8000_0000)  # view, send, use app commands
_ISO = "2026-11-24T00:00:00+00:00"


class Snowflakes:
    """Discord ids: milliseconds since the Discord epoch, then a counter."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


@dataclass
class RestCall:
    """One REST request the bot made: method, path (without the API base), query and JSON body."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeUser:
    id: int
    name: str
    roles: tuple[int, ...] = ()

    def payload(self, bot: bool = False) -> dict:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }

    def member_payload(self, permissions: str = EVERYONE_PERMISSIONS) -> dict:
        return {
            "user": self.payload(),
            "roles": [str(r) for r in self.roles],
            "joined_at": _ISO,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": permissions,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class FakeInteraction:
    """One slash-command invocation and everything the bot answered to it."""

    id: int
    token: str
    user: FakeUser
    command: str
    options: dict[str, Any]
    sent_at: float = field(default_factory=time.monotonic)
    custom_id: str | None = None  # a button press: the button's id
    message: dict | None = None  # a button press: the message as the user saw it
    callback: dict | None = None  # the interaction callback body (type 4 message, 5 defer...)
    callback_at: float | None = None
    original: dict | None = None  # the response message as it stands now
    original_deleted: bool = False
    followups: list[dict] = field(default_factory=list)
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    settled_at: float | None = None

    @property
    def deferred(self) -> bool:
        return self.callback is not None and self.callback["type"] == 5

    @property
    def defer_delay(self) -> float | None:
        """Seconds from dispatch to the bot's first acknowledgement (Discord allows 3)."""
        return None if self.callback_at is None else self.callback_at - self.sent_at

    @property
    def answer(self) -> dict | None:
        """The message the user finally sees: the last follow-up, else the original response."""
        if self.followups:
            return self.followups[-1]
        if self.original is not None and not self.original_deleted:
            if self.deferred and self.original.get("edited_timestamp") is None:
                return None  # still "thinking"
            return self.original
        return None

    @property
    def content(self) -> str | None:
        return None if self.answer is None else self.answer["content"]

    @property
    def ephemeral(self) -> bool:
        return bool(self.answer and self.answer["flags"] & EPHEMERAL)

    async def wait(self, timeout: float = 10.0) -> FakeInteraction:
        """Wait until the bot gave its final answer (a message, not just a defer)."""
        await asyncio.wait_for(self.settled.wait(), timeout)
        return self

    def settle(self) -> None:
        if not self.settled.is_set():
            self.settled_at = time.monotonic()
            self.settled.set()


def pinged_ids(content: str, allowed_mentions: dict | None) -> set[str]:
    """Whom Discord would notify for ``content`` under ``allowed_mentions`` (ids, or 'everyone')."""
    users = set(re.findall(r"<@!?(\d+)>", content))
    roles = {f"role:{r}" for r in re.findall(r"<@&(\d+)>", content)}
    everyone = {"everyone"} if re.search(r"@(everyone|here)\b", content) else set()
    if allowed_mentions is None:  # Discord's default: parse every kind of mention
        return users | roles | everyone
    parse = set(allowed_mentions.get("parse", []))
    allowed = set()
    allowed |= users if "users" in parse else users & set(allowed_mentions.get("users", []))
    role_ids = {f"role:{r}" for r in allowed_mentions.get("roles", [])}
    allowed |= roles if "roles" in parse else roles & role_ids
    allowed |= everyone if "everyone" in parse else set()
    return allowed


class FakeDiscord:
    """A Discord gateway + REST API on 127.0.0.1 for one application, a guild and a channel."""

    def __init__(self, *, shard_count: int = 1, heartbeat_interval_ms: int = 41_250) -> None:
        self.snowflake = Snowflakes()
        self.shard_count = shard_count
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.application_id = self.snowflake()
        self.bot_user = FakeUser(self.snowflake(), "deepciso-bot")
        self.owner = FakeUser(self.snowflake(), "owner")
        self.guild_id = self.snowflake()
        self.channel_id = self.snowflake()
        self.roles: dict[int, str] = {self.guild_id: "@everyone"}
        self.calls: list[RestCall] = []
        self.identifies: list[dict] = []
        self.heartbeats = 0
        self.commands: dict[int | None, list[dict]] = {}  # guild id (None: global) -> synced
        self.interactions: dict[int, FakeInteraction] = {}
        self.channel_messages: dict[int, list[dict]] = {}
        self.forbidden_channels: set[int] = set()  # posting there answers 403 Missing Permissions
        self.channel_names: dict[int, str] = {self.channel_id: "memes"}
        self._by_token: dict[str, FakeInteraction] = {}
        self._shards: dict[int, web.WebSocketResponse] = {}
        self._sequence = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.advertised_gateway: str | None = None  # what /gateway/bot answers (default: ours)

    # ----------------------------------------------------------------- lifecycle
    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for ws in list(self._shards.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ----------------------------------------------------------------- arranging the world
    def add_role(self, name: str) -> int:
        role_id = self.snowflake()
        self.roles[role_id] = name
        return role_id

    def add_channel(self, name: str) -> int:
        """Another text channel in the guild (e.g. the moderators'); its id."""
        channel_id = self.snowflake()
        self.channel_names[channel_id] = name
        return channel_id

    def add_user(self, name: str, roles: Iterable[int] = ()) -> FakeUser:
        return FakeUser(self.snowflake(), name, tuple(roles))

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds; re-checked after every gateway or REST event."""

        async def check() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(check(), timeout)

    async def wait_connected(self, timeout: float = 10.0) -> None:
        await self.wait_until(lambda: len(self._shards) == self.shard_count, timeout)

    def calls_to(self, method: str, pattern: str) -> list[RestCall]:
        return [c for c in self.calls if c.method == method and re.fullmatch(pattern, c.path)]

    def messages_sent(self) -> list[dict]:
        """Every message body the bot sent or edited (callbacks, edits, follow-ups, posts)."""
        bodies = []
        for call in self.calls:
            body = call.body
            if call.path.endswith("/callback") and isinstance(body, dict):
                body = body.get("data")
            if isinstance(body, dict) and "content" in body and call.method in ("POST", "PATCH"):
                bodies.append(body)
        return bodies

    # ----------------------------------------------------------------- acting as a user
    async def invoke(self, user: FakeUser, command: str, **options: Any) -> FakeInteraction:
        """Send INTERACTION_CREATE for ``/command sub`` with ``options`` as a user would."""
        name, _, sub = command.partition(" ")
        registered = self._find_command(name)
        if registered is None:
            raise AssertionError(f"/{name} was never synced; Discord would not offer it")
        interaction = FakeInteraction(
            self.snowflake(), f"tok-{self.snowflake()}", user, command, options
        )
        self.interactions[interaction.id] = interaction
        self._by_token[interaction.token] = interaction
        data_options = [
            {"type": _option_type(v), "name": k, "value": v} for k, v in options.items()
        ]
        if sub:
            data_options = [{"type": 1, "name": sub, "options": data_options}]
        data = {
            "id": registered["id"],
            "name": name,
            "type": 1,
            "guild_id": str(self.guild_id),
            "options": data_options,
        }
        await self._dispatch_interaction(interaction, 2, self.channel_id, data)
        return interaction

    async def press(self, user: FakeUser, message: dict, custom_id: str) -> FakeInteraction:
        """Send INTERACTION_CREATE for ``user`` pressing the button ``custom_id`` of ``message``
        (a channel message the bot sent), as Discord does: the message as it stands now."""
        ids = [
            c.get("custom_id") for row in message.get("components", []) for c in row["components"]
        ]
        if custom_id not in ids:
            raise AssertionError(f"{custom_id!r} is not a button of that message: {ids}")
        interaction = FakeInteraction(
            self.snowflake(),
            f"tok-{self.snowflake()}",
            user,
            "component",
            {},
            custom_id=custom_id,
            message=message,
        )
        self.interactions[interaction.id] = interaction
        self._by_token[interaction.token] = interaction
        data = {"custom_id": custom_id, "component_type": 2}
        await self._dispatch_interaction(
            interaction, 3, int(message["channel_id"]), data, message=message
        )
        return interaction

    async def _dispatch_interaction(
        self, interaction: FakeInteraction, kind: int, channel_id: int, data: dict, **extra
    ) -> None:
        """INTERACTION_CREATE of ``kind`` (2: a slash command, 3: a button) as Discord sends it."""
        payload = {
            "id": str(interaction.id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": interaction.token,
            "version": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id),
            "channel": self._channel_payload(channel_id),
            "member": interaction.user.member_payload(),
            "app_permissions": str((1 << 41) - 1),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "data": data,
            **extra,
        }
        await self._dispatch(self._shard_of(self.guild_id), "INTERACTION_CREATE", payload)

    def _find_command(self, name: str) -> dict | None:
        for scope in (self.guild_id, None):
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command
        return None

    def _shard_of(self, guild_id: int) -> int:
        return (guild_id >> 22) % self.shard_count

    # ----------------------------------------------------------------- gateway
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        shard_id = None
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame["op"] == 1:
                    self.heartbeats += 1
                    await ws.send_json({"op": 11})
                elif frame["op"] == 2:
                    shard_id = await self._identify(ws, frame["d"])
                await self._notify()
        finally:
            if shard_id is not None and self._shards.get(shard_id) is ws:
                del self._shards[shard_id]
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict) -> int:
        if data.get("token") != FAKE_TOKEN:
            await ws.close(code=4004, message=b"Authentication failed.")
            return -1
        self.identifies.append(data)
        shard_id, shard_count = data.get("shard", [0, 1])
        self._shards[shard_id] = ws
        guilds = [self.guild_id] if self._shard_of(self.guild_id) == shard_id else []
        await self._dispatch(
            shard_id,
            "READY",
            {
                "v": 10,
                "user": self.bot_user.payload(bot=True),
                "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
                "session_id": f"session-{shard_id}",
                "resume_gateway_url": self.gateway_url,
                "shard": [shard_id, shard_count],
                "application": {"id": str(self.application_id), "flags": 0},
            },
        )
        for _ in guilds:
            await self._dispatch(shard_id, "GUILD_CREATE", self._guild_payload())
        return shard_id

    async def _dispatch(self, shard_id: int, event: str, data: dict) -> None:
        ws = self._shards[shard_id]
        await ws.send_json({"op": 0, "t": event, "s": next(self._sequence), "d": data})

    def _guild_payload(self) -> dict:
        return {
            "id": str(self.guild_id),
            "name": "DeepCISO test guild",
            "icon": None,
            "owner_id": str(self.owner.id),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "features": [],
            "roles": [
                {
                    "id": str(role_id),
                    "name": name,
                    "permissions": EVERYONE_PERMISSIONS,
                    "position": position,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
                for position, (role_id, name) in enumerate(self.roles.items())
            ],
            "emojis": [],
            "stickers": [],
            "channels": [self._channel_payload(c) for c in self.channel_names],
            "threads": [],
            "members": [self.bot_user.member_payload() | {"user": self.bot_user.payload(True)}],
            "member_count": 2,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "large": False,
            "unavailable": False,
            "joined_at": _ISO,
        }

    def _channel_payload(self, channel_id: int | None = None) -> dict:
        channel_id = channel_id or self.channel_id
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": self.channel_names[channel_id],
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
        }

    # ----------------------------------------------------------------- REST
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json" and raw:
                body = json.loads(raw)
            elif raw:
                body = raw.decode(errors="replace")
        self.calls.append(RestCall(request.method, path, dict(request.query), body))
        try:
            response = self._route(request.method, path, request.headers, body)
        finally:
            await self._notify()
        return response

    def _route(self, method: str, path: str, headers: Any, body: Any) -> web.StreamResponse:
        app = str(self.application_id)
        original = rf"/webhooks/{app}/([^/]+)/messages/@original"
        message = r"/channels/(\d+)/messages/(\d+)"
        routes: list[tuple[str, str, Callable[..., web.StreamResponse]]] = [
            ("GET", r"/users/@me", lambda: _json(self.bot_user.payload(bot=True))),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("PUT", rf"/applications/{app}/commands", lambda: self._sync(None, body)),
            ("PUT", rf"/applications/{app}/guilds/(\d+)/commands", lambda g: self._sync(g, body)),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", lambda i, t: self._callback(t, body)),
            ("PATCH", original, lambda t: self._edit(t, body)),
            ("DELETE", original, self._delete_original),
            ("POST", rf"/webhooks/{app}/([^/]+)", lambda t: self._followup(t, body)),
            ("POST", r"/channels/(\d+)/messages", lambda c: self._channel_message(c, body)),
            ("PATCH", message, lambda c, m: self._edit_message(c, m, body)),
        ]
        if not headers.get("Authorization", "").startswith(f"Bot {FAKE_TOKEN}") and not (
            path.startswith("/interactions/") or path.startswith("/webhooks/")
        ):
            return _error(401, 0, "401: Unauthorized")
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                return handler(*match.groups())
        return _error(404, 0, f"404: Not Found ({method} {path} is not simulated)")

    def _gateway_bot(self) -> web.Response:
        return _json(
            {
                "url": self.advertised_gateway or self.gateway_url,
                "shards": self.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    def _application(self) -> web.Response:
        return _json(
            {
                "id": str(self.application_id),
                "name": "DeepCISO",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": self.owner.payload(),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        )

    def _sync(self, guild_id: str | None, body: list[dict]) -> web.Response:
        synced = []
        for command in body:
            synced.append(
                command
                | {
                    "id": str(self.snowflake()),
                    "application_id": str(self.application_id),
                    "version": str(self.snowflake()),
                    "guild_id": guild_id,
                }
            )
        self.commands[int(guild_id) if guild_id else None] = synced
        return _json(synced)

    def _callback(self, token: str, body: dict) -> web.Response:
        interaction = self._by_token.get(token)
        if interaction is None:
            return _error(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        interaction.callback = body
        interaction.callback_at = time.monotonic()
        data = body.get("data") or {}
        if body["type"] == 7:  # UPDATE_MESSAGE: the pressed message itself changes
            if interaction.message is None:
                return _error(400, 50035, "Invalid Form Body (type 7 needs a component message)")
            live = self._stored(interaction.message["channel_id"], interaction.message["id"])
            message = self._update(live or interaction.message, data)
        else:
            message = self._message(
                data.get("content", ""), data.get("flags", 0), data.get("allowed_mentions")
            )
        interaction.original = message
        if body["type"] not in (5, 6):
            interaction.settle()
        return _json(
            {
                "interaction": {
                    "id": str(interaction.id),
                    "type": 2,
                    "response_message_id": message["id"],
                    "response_message_loading": body["type"] == 5,
                    "response_message_ephemeral": bool(message["flags"] & EPHEMERAL),
                },
                "resource": {"type": body["type"], "message": message},
            }
        )

    def _edit(self, token: str, body: dict) -> web.Response:
        interaction = self._by_token.get(token)
        if interaction is None or interaction.original is None:
            return _error(404, 10008, "Unknown Message")
        interaction.original.update(
            content=body.get("content", interaction.original["content"]),
            allowed_mentions=body.get("allowed_mentions"),
            edited_timestamp=_ISO,
        )
        interaction.settle()
        return _json(interaction.original)

    def _delete_original(self, token: str) -> web.Response:
        interaction = self._by_token.get(token)
        if interaction is None or interaction.original is None:
            return _error(404, 10008, "Unknown Message")
        interaction.original_deleted = True
        return web.Response(status=204)

    def _followup(self, token: str, body: dict) -> web.Response:
        interaction = self._by_token.get(token)
        if interaction is None or interaction.callback is None:
            return _error(404, 10015, "Unknown Webhook")
        message = self._message(
            body.get("content", ""), body.get("flags", 0), body.get("allowed_mentions")
        )
        interaction.followups.append(message)
        interaction.settle()
        return _json(message)

    def _channel_message(self, channel_id: str, body: dict) -> web.Response:
        if int(channel_id) not in self.channel_names:
            return _error(404, 10003, "Unknown Channel")
        if int(channel_id) in self.forbidden_channels:
            return _error(403, 50013, "Missing Permissions")
        posted = self.channel_messages.setdefault(int(channel_id), [])
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # as Discord: the same nonce again (within minutes) returns the first message
            for earlier in posted:
                if earlier.get("nonce") == nonce:
                    return _json(earlier)
        message = self._message(
            body.get("content", ""), 0, body.get("allowed_mentions"), int(channel_id)
        )
        message["components"] = body.get("components", [])
        if nonce is not None:
            message["nonce"] = nonce
        posted.append(message)
        return _json(message)

    def _edit_message(self, channel_id: str, message_id: str, body: dict) -> web.Response:
        if int(channel_id) not in self.channel_names:
            return _error(404, 10003, "Unknown Channel")
        message = self._stored(channel_id, message_id)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        return _json(self._update(message, body))

    def _stored(self, channel_id: str, message_id: str) -> dict | None:
        """The channel message as it stands now (a press may carry an older copy)."""
        for message in self.channel_messages.get(int(channel_id), []):
            if message["id"] == message_id:
                return message
        return None

    def _update(self, message: dict, data: dict) -> dict:
        """Edit ``message`` in place as Discord does: fields not sent are kept."""
        for key in ("content", "components", "allowed_mentions"):
            if key in data:
                message[key] = data[key]
        message["edited_timestamp"] = _ISO
        message.setdefault("edits", 0)
        message["edits"] += 1
        return message

    def _message(
        self, content: str, flags: int, allowed_mentions: dict | None, channel_id: int = 0
    ) -> dict:
        return {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id or self.channel_id),
            "guild_id": str(self.guild_id),
            "author": self.bot_user.payload(bot=True),
            "content": content,
            "timestamp": _ISO,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 20,
            "flags": flags,
            "allowed_mentions": allowed_mentions,
        }

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 3


def _json(data: Any, status: int = 200) -> web.Response:
    # exactly "application/json", no charset: discord.py compares the header verbatim
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status)
