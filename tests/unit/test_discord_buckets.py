"""discord.py's rate-limit bucket cleanup, made linear for fan-outs (adapters/discord/sender.py)."""

from __future__ import annotations

import discord

from adapters.discord.sender import amortise_bucket_cleanup


async def test_a_fan_out_to_many_channels_scans_the_buckets_a_logarithmic_number_of_times() -> None:
    client = discord.Client(intents=discord.Intents.none())
    http = client.http
    scans = 0
    scan = http._try_clear_expired_ratelimits

    def counted() -> None:
        nonlocal scans
        scans += 1
        scan()

    http._try_clear_expired_ratelimits = counted  # type: ignore[method-assign]
    amortise_bucket_cleanup(http)
    for channel in range(10_000):
        http.get_ratelimit(f"POST /channels/{channel}/messages")
    # discord.py alone scans on every new bucket past 256 (9,744 full scans here).
    assert scans == 6  # at 256, 512, 1,024, 2,048, 4,096 and 8,192 buckets
    await client.close()


async def test_idle_buckets_are_still_dropped() -> None:
    client = discord.Client(intents=discord.Intents.none())
    http = client.http
    amortise_bucket_cleanup(http)
    for channel in range(300):
        http.get_ratelimit(f"old {channel}")
    for bucket in http._buckets.values():
        bucket._last_request -= 600  # idle for 10 minutes: discord.py drops a bucket after 5
    for channel in range(300):
        http.get_ratelimit(f"new {channel}")
    # The scan at 512 buckets dropped the idle ones; only buckets made since are left.
    assert all(key.startswith("new") for key in http._buckets)
    await client.close()
