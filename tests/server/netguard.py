"""Python source that, run first in a fresh interpreter, records and refuses every outbound
connection and DNS look-up (loopback stays allowed). The no-network tests prepend it to the
script they run; `attempts` lists what was refused, and each refusal is also appended to the
file named by NETGUARD_LOG, so refusals in forked processes (the server's analyser) are seen."""

import textwrap

SOCKET_GUARD = textwrap.dedent(r'''
    import ipaddress, os, socket
    attempts = []

    def loopback(host):
        if host in ("localhost", None, ""):
            return True
        try:
            return ipaddress.ip_address(str(host).strip("[]").split("%")[0]).is_loopback
        except ValueError:
            return False

    def refuse(what, target):
        attempts.append(f"{what} {target!r}")
        if os.environ.get("NETGUARD_LOG"):
            with open(os.environ["NETGUARD_LOG"], "a") as log:
                log.write(f"pid {os.getpid()}: {what} {target!r}\n")
        raise OSError(f"outbound {what} blocked by test: {target!r}")

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address[0]):
            refuse("connect", address)
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address[0]):
            refuse("connect", address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not loopback(host):
            refuse("dns", host)
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
    socket.gethostbyname = lambda host: refuse("dns", host) if not loopback(host) else "127.0.0.1"
''')
