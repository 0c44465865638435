"""The native ROOT reader against uproot 5.7.7, km3io 1.2.6 and hand-decoded bytes."""
import json
import struct

import pytest
import uproot

from conftest import KM3NET_DATA, TESTDATA, km3net_root_files, run_vodf
from root_compare import compare

FILES = km3net_root_files()


def trees_of(path):
    return sorted({k.split(";")[0] for k, c in uproot.open(path).classnames().items() if c == "TTree"})


@pytest.mark.parametrize("path", FILES, ids=[p.name[:48] for p in FILES])
def test_every_branch_uproot_reads_is_identical(vodf, km3net_data, path):
    """Every branch uproot can read, all entries, floats bit for bit."""
    total = 0
    for tree in trees_of(path):
        n, problems, _skipped = compare(vodf, path, tree)
        assert problems == [], f"{path.name}:{tree}: " + "\n".join(problems[:10])
        total += n
    assert total > 0


def head_files():
    return [p for p in FILES if "Head" in {k.split(";")[0] for k in uproot.open(p).keys()}]


def vodf_object(vodf, path, key):
    r = run_vodf(vodf, "root", "dump", path, key)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("path", head_files(), ids=lambda p: p.name[:48])
def test_head_matches_km3io(vodf, km3net_data, path):
    """The member-wise map<string,string> of Head: raw strings as uproot decodes them, and
    km3io's parsed header dict built from ours equals km3io's own."""
    import km3io
    ours = dict(vodf_object(vodf, path, "Head")["map<string,string>"])
    theirs = uproot.open(path)["Head"].tojson()["map<string,string>"]
    assert ours == theirs
    assert km3io.offline.Header(ours)._data == km3io.OfflineReader(str(path)).header._data


def raw_key_bytes(path, name):
    """The key's object bytes, decompressed by uproot (which cannot interpret them)."""
    f = uproot.open(path)
    k = f.key(name)
    chunk = f.file.source.chunk(k.data_cursor.index, k.data_cursor.index + k.data_compressed_bytes)
    if k.is_compressed:
        chunk = uproot.compression.decompress(chunk, k.data_cursor.copy(), {}, k.data_compressed_bytes,
                                              k.data_uncompressed_bytes)
    return chunk.raw_data.tobytes()


def decode_old_header_by_hand(b):
    """The old `Header` key (class Head v2) decoded from its bytes, following its streamer:
      [u4 bytecount|0x40000000][u2 version=2]                      Head
      [u2 version][u4 fUniqueID][u4 fBits]                          TObject base (no byte count)
      [u4 bytecount][u2 version]                                    map<string,string>
    then either object-wise (version 9, km3net_offline.root):
      [i4 n] n x (key, value), each string u1 length + bytes
    or member-wise (version 0x4009, usr-sample.root):
      [u2 0 = pair version][u4 checksum, present because version 0] ROOT's ReadVersionForMemberWise
      [i4 n]; if n > 0: [u4 bc][u2 ver] n keys, then [u4 bc][u2 ver] n values
    """
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, b, pos)
        pos += struct.calcsize(fmt)
        return v

    bc, version = take(">IH")
    assert bc & 0x40000000 and version == 2
    take(">HII")
    def string():
        nonlocal pos
        ln, = take(">B")
        pos += ln
        return b[pos - ln:pos].decode()

    bc, mapver = take(">IH")
    if mapver & 0x4000:  # member-wise
        pairver, = take(">h")
        assert pairver == 0
        take(">I")
        n, = take(">i")
        blocks = []
        for _ in range(2 if n else 0):
            take(">IH")
            blocks.append([string() for _ in range(n)])
        result = dict(zip(*blocks)) if n else {}
    else:
        n, = take(">i")
        result = dict((string(), string()) for _ in range(n))
    assert pos == len(b), "every byte accounted for"
    return result


@pytest.mark.parametrize("name,expected", [("km3net_offline.root", {"DAQ": " 21584.6"}), ("usr-sample.root", {})])
def test_old_header_key_decoded_by_hand(vodf, km3net_data, name, expected):
    """uproot cannot decode the old `Header` key, and km3io only looks for `Head`."""
    path = KM3NET_DATA / "offline" / name
    with pytest.raises(Exception):
        uproot.open(path)["Header"].tojson()
    by_hand = decode_old_header_by_hand(raw_key_bytes(path, "Header"))
    assert by_hand == expected
    assert dict(vodf_object(vodf, path, "Header")["map<string,string>"]) == by_hand


def test_trks_usr_data_memberwise(vodf, km3net_data):
    """trks.usr_data in km3net_offline.root (Evt v10) is vector<AAny> per track, member-wise, which
    uproot refuses. Worked out from the streamer (AAny v1 = one AAny::Holder_base* member):
    each entry is [u4 bytecount][u2 0x4009][u2 AAny version 1] then, per track, [i4 n] and n holders.
    Every n is 0 here, so an entry with k tracks is 8 + 4k bytes and holds k empty vectors."""
    path = KM3NET_DATA / "offline" / "km3net_offline.root"
    t = uproot.open(path)["E"]
    b = t["Evt/trks/trks.usr_data"]
    with pytest.raises(NotImplementedError):
        b.array()
    ntracks = t["Evt/trks"].array(library="np", interpretation=uproot.AsDtype(">i4"))
    sizes = []
    for i in range(b.num_baskets):
        offs = b.basket(i).byte_offsets
        sizes += list(offs[1:] - offs[:-1])
    assert sizes == [8 + 4 * k for k in ntracks]
    r = run_vodf(vodf, "root", "dump", path, "E", "Evt/trks/trks.usr_data", "--json")
    assert r.returncode == 0, r.stderr
    values = json.loads(r.stdout)["values"]
    assert values == [[[] for _ in range(k)] for k in ntracks]


def test_multihead_memberwise(vodf, km3net_data):
    """MultiHead (vector<Head>, member-wise) is refused by uproot. Independent check: the number of
    heads and each head's `simul` entry, found by scanning the raw object bytes for the key strings."""
    path = KM3NET_DATA / "offline" / "multiHead.root"
    with pytest.raises(NotImplementedError):
        uproot.open(path)["MultiHead"].tojson()
    raw = raw_key_bytes(path, "MultiHead")
    heads = vodf_object(vodf, path, "MultiHead")["vector<Head>"]
    # Every head has a 'simul' key; each key string is stored once per head, length-prefixed.
    assert len(heads) == raw.count(b"\x05simul") == 17
    for h in heads:
        m = dict(h["map<string,string>"])
        assert m["simul"].split()[0] == "gSeaGen"
        # Each value string appears in the raw bytes with its length prefix.
        for v in m.values():
            assert bytes([len(v.encode())]) + v.encode() in raw


@pytest.mark.parametrize("codec", ["ZLIB", "LZ4", "ZSTD", "LZMA"])
def test_compression_algorithms(vodf, tmp_path, codec):
    """ZL, L4 (with its xxh64 check), ZS and XZ baskets, written by uproot."""
    import awkward as ak
    import numpy as np
    path = tmp_path / f"{codec}.root"
    rng = np.random.default_rng(1)
    with uproot.recreate(path, compression=getattr(uproot, codec)(4)) as f:
        f.mktree("t", {"x": np.float64, "i": np.int64, "v": "var * float32"})
        for _ in range(3):
            n = 2000
            f["t"].extend({
                "x": rng.normal(size=n), "i": rng.integers(-10**12, 10**12, size=n),
                "v": ak.values_astype(ak.Array([rng.normal(size=k).tolist() for k in rng.integers(0, 6, size=n)]), np.float32),
            })
    # The algorithm is the 2 letters after each basket's key header (keylen is the i2 at byte 14).
    raw = path.read_bytes()
    # Baskets that did not shrink are stored raw (nbytes - keylen == objlen); the rest use the codec.
    algos = set()
    for b in uproot.open(path)["t"].values():
        for seek in b.member("fBasketSeek")[: b.num_baskets]:
            nbytes, _, objlen, _, keylen = struct.unpack_from(">ihiIh", raw, seek)
            algos.add(raw[seek + keylen: seek + keylen + 2] if nbytes - keylen != objlen else b"raw")
    tag = {"ZLIB": b"ZL", "LZ4": b"L4", "ZSTD": b"ZS", "LZMA": b"XZ"}[codec]
    assert tag in algos and algos <= {tag, b"raw"}, f"uproot wrote {algos}"
    n, problems, _ = compare(vodf, path, "t")
    assert n == 4 and problems == []


def test_root_ls_lists_every_file(vodf, km3net_data):
    for path in FILES:
        r = run_vodf(vodf, "root", "ls", path)
        assert r.returncode == 0, f"{path}: {r.stderr}"
        assert "TTree" in r.stdout


def test_root_cli_errors(vodf, tmp_path):
    r = run_vodf(vodf, "root", "dump", TESTDATA / "root" / "small_zlib.root", "t", "nope")
    assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1 and "no branch 'nope'" in r.stderr
    bad = tmp_path / "bad.root"
    bad.write_bytes(b"rooX" + (TESTDATA / "root" / "small_zlib.root").read_bytes()[4:])
    r = run_vodf(vodf, "root", "ls", bad)
    assert r.returncode == 3 and str(bad) in r.stderr and "wrong magic" in r.stderr
    r = run_vodf(vodf, "root", "dump", TESTDATA / "root" / "small_zlib.root", "t", "x", "--entries", "5:500")
    assert r.returncode == 2 and "outside" in r.stderr


@pytest.mark.parametrize("codec,message", [("ZLIB", "corrupt zlib stream"), ("LZ4", "LZ4 block checksum mismatch"),
                                           ("ZSTD", "zstd"), ("LZMA", "xz")])
def test_corrupt_compressed_basket(vodf, tmp_path, codec, message):
    """A damaged compressed basket gives a one-line error naming the branch, basket and offset."""
    import numpy as np
    path = tmp_path / f"{codec}.root"
    with uproot.recreate(path, compression=getattr(uproot, codec)(4)) as f:
        f.mktree("t", {"x": np.float64})
        f["t"].extend({"x": np.arange(20000, dtype=np.float64) % 97})
    raw = bytearray(path.read_bytes())
    seek = uproot.open(path)["t"]["x"].member("fBasketSeek")[0]
    nbytes, _, objlen, _, keylen = struct.unpack_from(">ihiIh", raw, seek)
    assert nbytes - keylen != objlen, "basket should be compressed"
    block = seek + keylen + 9
    if codec == "ZSTD" and not raw[block + 4] & 0x04:
        # ROOT's zstd frames carry no content checksum (frame header flag 0x04), so damage inside
        # the data can decode "successfully"; damage to the frame itself is always detected.
        raw[block] ^= 0xFF                                # the frame magic
    else:
        raw[block + (nbytes - keylen - 9) // 2] ^= 0xFF   # middle of the compressed data
    path.write_bytes(bytes(raw))
    r = run_vodf(vodf, "root", "dump", path, "t", "x")
    assert r.returncode == 3
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "branch x basket 0" in lines[0] and str(path) in lines[0], r.stderr
