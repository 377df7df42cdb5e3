"""Which addresses the fetcher may connect to: public ones only, unless the user allows more.

Checked where it cannot be dodged: at connect time, on the addresses DNS gave for the host, every one of them
(a name that resolves to a public and a private address is refused), for the first request and for every redirect
hop and robots.txt alike. The connection then goes to the very address that was checked, so a DNS answer that
changes between the check and the connection (DNS rebinding) cannot slip a private address in.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class PrivateAddress(Exception):
    """A host resolved to an address the fetcher is not allowed to reach."""


def _refused(address: Address) -> str | None:
    """Why an address is refused (a name for its kind), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _refused(address.ipv4_mapped)
    for kind in ("unspecified", "loopback", "link_local", "private", "reserved", "multicast"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:  # shared address space (100.64/10), documentation ranges, ...
        return "not global"
    return None


@dataclass(frozen=True)
class Guard:
    """The address policy: `allowed` networks may be reached even if private (`everything` allows every address)."""

    allowed: tuple[Network, ...] = ()
    everything: bool = False

    @classmethod
    def of(cls, allow: Iterable[str] = (), everything: bool = False) -> Guard:
        """A guard allowing the networks in `allow` (CIDRs such as "127.0.0.1/32"; a bare address is one host)."""
        return cls(tuple(ipaddress.ip_network(a, strict=False) for a in allow), everything)

    def problem(self, address: str) -> str | None:
        """Why `address` (an IP address) may not be reached, or None."""
        ip = ipaddress.ip_address(address.split("%")[0])
        if self.everything or any(ip in network for network in self.allowed):
            return None
        kind = _refused(ip)
        return f"{address} is a {kind} address" if kind else None

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of `host`, all checked.

        Raises:
            PrivateAddress: any address of the host is refused (or the host is an IP literal that is).
            OSError: the name does not resolve.
        """
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:
            why = self.problem(address)
            if why:
                shown = host if host == address else f"{host} resolves to {address}, which"
                raise PrivateAddress(f"{shown} is refused: {why.split(' is ', 1)[1]} (private, loopback, link-local and reserved addresses are never fetched unless --allow-private / --allow-network allows them)")
        return addresses


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses the guard accepts (checked at connect time)."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ANN001, ANN201 (httpcore's signature)
        try:
            addresses = self.guard.resolve(host, port)
        except socket.gaierror as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error.strerror or error}") from error
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
        raise last or httpcore.ConnectError(f"no address for {host}")
