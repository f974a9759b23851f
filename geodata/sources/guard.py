"""Where a URL may lead: http(s) only, and never to a private, loopback, link-local or otherwise
non-public address unless `GEODATA_ALLOW_HOSTS` names the host or its address. A feed is written by
someone else and may point anywhere, so every hop (redirects too) is resolved and checked here, and
the connection is then made to the address that was checked (a second DNS answer cannot change it)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """One checked hop: connect to `ip`:`port`, say `host` (Host header, TLS name), ask for `path`."""

    url: str
    scheme: str
    host: str
    port: int
    ip: str
    path: str  # path and query, as sent on the request line

    @property
    def origin(self) -> str:
        """scheme://host:port, the unit of robots.txt."""
        return f"{self.scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class Allowed:
    """The non-public hosts the user allows: names (`intranet.example`), addresses, networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, hosts: tuple[str, ...]) -> Allowed:
        names, networks = set(), []
        for host in hosts:
            try:
                networks.append(ipaddress.ip_network(host, strict=False))
            except ValueError:
                names.add(host.lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def permits(self, host: str, address: IPAddress) -> bool:
        return host in self.names or any(address in net for net in self.networks if net.version == address.version)


def _address(text: str) -> IPAddress:
    address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def what_address(address: IPAddress) -> str | None:
    """Why an address is not public ('a loopback address'), or None for a public one."""
    for flag, what in (("is_loopback", "loopback"), ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                       ("is_unspecified", "unspecified"), ("is_private", "private"), ("is_reserved", "reserved")):
        if getattr(address, flag):
            return f"a {what} address"
    return None if address.is_global else "a non-public address"


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host} (no network, or no such host: {exc})",
                         transient=True) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check(url: str, allowed: Allowed) -> Target:
    """The hop to make for `url`, or a `FetchError` saying why it may not be made."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError(f"only http and https URLs are fetched, not {scheme or 'a URL without scheme'}:")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("the URL has no host")
    port = port or SCHEMES[scheme]
    addresses = _resolve(host, port)
    for text in addresses:
        address = _address(text)
        what = what_address(address)
        if what and not allowed.permits(host, address):
            where = host if host == str(address) else f"{host} ({address})"
            raise FetchError(f"{where} is {what}; not fetched (GEODATA_ALLOW_HOSTS names the private hosts "
                             "that may be fetched)")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, scheme, host, port, addresses[0], path)
