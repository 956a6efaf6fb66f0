#!/usr/bin/env python3
# Writes iccp_bad_intent.png: a 96x96 RGB PNG whose iCCP chunk holds a
# 132-byte ICC header with rendering intent 7 (valid: 0..3). libpng reads the
# pixels fine and prints "libpng warning: iCCP: ... invalid rendering intent"
# (or similar) on stderr: third-party noise that vww must not pass on.
import struct
import zlib


def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))


w = h = 96
rows = []
for y in range(h):
    row = bytearray(b'\x00')  # filter: none
    for x in range(w):
        row += bytes(((x + y) * 2 % 256, x * 3 % 256, y * 5 % 256))
    rows.append(bytes(row))
profile = bytearray(132)
struct.pack_into('>I', profile, 0, 132)  # profile size
profile[12:24] = b'mntrRGB XYZ '
profile[36:40] = b'acsp'
struct.pack_into('>I', profile, 64, 7)  # rendering intent: out of range
struct.pack_into('>iii', profile, 68, 63190, 65536, 54061)  # D50 illuminant
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
       chunk(b'iCCP', b'ICC Profile\x00\x00' + zlib.compress(bytes(profile))) +
       chunk(b'IDAT', zlib.compress(b''.join(rows))) + chunk(b'IEND', b''))
with open(__file__.rsplit('/', 1)[0] + '/iccp_bad_intent.png', 'wb') as f:
    f.write(png)
