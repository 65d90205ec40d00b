#!/usr/bin/env python3
# Writes the seed corpora of the CPace and password-auth fuzz targets.
# Run it from anywhere; it writes beside itself. The points come from the
# CPace draft's ristretto255 test vectors.
import os

here = os.path.dirname(os.path.abspath(__file__))

YA = bytes.fromhex("D6BAC480F2C386C394EFC7C47ADB9925DCD2630B64F240C50F8D0EEC482B9157")
YB = bytes.fromhex("3EA7E0B19560D7C0B0F5734F63B955286DFA8232B5EBE63324E2D9E7433F7258")
NON_CANONICAL = bytes.fromhex("2B3C6B8C4F3800E7AEF6864025B4ED79BD599117E427C41BD47D93D654B4A51C")
IDENTITY = bytes(32)


def lv(data):
    n = len(data)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out) + data


def write(target, name, data):
    folder = os.path.join(here, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


cpace = {
    "valid-msga": lv(YA) + lv(b"ADa"),
    "valid-msgb": lv(YB) + lv(b"ADb"),
    "empty-ad": lv(YA) + lv(b""),
    "long-ad": lv(YA) + lv(b"a" * 200),
    "identity": lv(IDENTITY) + lv(b""),
    "non-canonical": lv(NON_CANONICAL) + lv(b"ADa"),
    "truncated": lv(YA)[:20],
    "trailing-byte": lv(YA) + lv(b"ADa") + b"\0",
    "draft-invalid-1": bytes.fromhex("ffffff"),
    "draft-invalid-2": bytes.fromhex("ffff03"),
    "draft-invalid-3": bytes.fromhex("00ffff03"),
    "draft-invalid-4": bytes.fromhex("00ffffff"),
}
for name, data in cpace.items():
    write("cpace", name, data)

msg1 = lv(YA) + lv(b"tandem-viewer\x01\x01")
msg1_permanent = lv(YA) + lv(b"tandem-viewer\x01\x02")
msg2 = lv(YB) + lv(b"tandem-host\x01") + bytes(64)
auth = {
    "host-msg1": b"\x00" + msg1,
    "host-msg1-permanent": b"\x00" + msg1_permanent,
    "host-msg1-version-2": b"\x00" + lv(YA) + lv(b"tandem-viewer\x02\x01"),
    "viewer-msg2": b"\x01" + msg2,
    "viewer-msg2-reflected": b"\x01" + msg1 + bytes(64),
    "host-confirm": b"\x02\x01" + bytes(64),
    "host-failure-notice": b"\x02\x00",
    "host-sequence": b"\x03" + bytes([len(msg1)]) + msg1 + b"\x01" + bytes(64),
}
for name, data in auth.items():
    write("password-auth", name, data)
